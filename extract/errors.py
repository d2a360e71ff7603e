"""Extraction failures: a stable code for scripts and a Chinese message for people."""

from __future__ import annotations

from records import ExtractError

MESSAGES = {
    "encrypted": "文件已加密（设有打开密码），无法读取。请提交未加密的文件。",
    "corrupt": "文件已损坏或格式不完整，无法读取。",
    "empty": "文件为空，或没有可读取的内容。",
    "unsupported_format": "不支持的文件格式。",
    "too_large": "文件超出大小或页数限制。",
    "needs_ocr": "文件是扫描件，需要文字识别（OCR），但本机未安装识别引擎。",
    "timeout": "读取超时，已跳过此文件。",
    "unsafe_path": "压缩包内的文件路径不安全（试图写到包外），已拒绝。",
    "unsafe_archive": "压缩包不安全（文件过多、解压后过大或压缩比异常），已拒绝。",
}


class ExtractFailure(Exception):
    """Raised by an extractor when a file cannot be read; becomes Document.error."""

    def __init__(self, code: str, detail: str = ""):
        self.code = code
        base = MESSAGES.get(code, "无法读取文件。")
        self.message = f"{base.rstrip('。')}：{detail.rstrip('。')}。" if detail else base
        super().__init__(f"{code}: {self.message}")

    def to_error(self) -> ExtractError:
        return ExtractError(code=self.code, message=self.message)
