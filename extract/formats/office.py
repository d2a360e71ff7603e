"""Legacy and other word-processor formats (.doc, .wps, .rtf, .odt) through LibreOffice headless.

Each file is converted to .docx and handed to the registered docx extractor, so paragraphs,
tables, headers/footers, text boxes and footnotes come out exactly as for a native .docx. (PDF
would keep page numbers but loses the document structure, and its text layer brings back the
CJK spacing problems of Word-exported PDFs; .docx is the faithful target.)

Every conversion runs in a private temporary directory with its own LibreOffice user profile
(-env:UserInstallation), so parallel conversions never share or lock a profile, under a time
limit after which the whole process group is killed. The binary is PRESCREEN_SOFFICE (env) or
SOFFICE below; where it is missing the file gets `unsupported_format` with what to install.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import zipfile
from dataclasses import replace
from pathlib import Path

from extract.errors import ExtractFailure
from extract.registry import ExtractContext, extractor_for, register
from records import Page

log = logging.getLogger(__name__)

SOFFICE = "soffice"  # binary name or path; the environment variable PRESCREEN_SOFFICE wins
CONVERT_TIMEOUT_S = 120.0  # per conversion, further capped by ctx.limits.timeout_s
WRITER_HINT = "需要安装 LibreOffice（libreoffice-writer-nogui）"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Import filters, forced where LibreOffice would otherwise fall back to reading an unparsable
# file as plain text (it happily "converts" garbage behind an OLE header into a page of noise).
IN_FILTERS = {".doc": "MS Word 97", ".odt": "writer8"}

last_conversion_seconds: float | None = None  # the duration of this process's last conversion


def soffice_binary() -> str | None:
    """The LibreOffice executable to use, or None where it is not installed."""
    name = os.environ.get("PRESCREEN_SOFFICE") or SOFFICE
    return shutil.which(name)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def convert(data: bytes, src_suffix: str, target: str, *, timeout: float = CONVERT_TIMEOUT_S,
            workdir: Path | None = None, in_filter: str | None = None,
            install_hint: str = WRITER_HINT) -> bytes:
    """Convert a document with LibreOffice headless and return the converted file's bytes.

    target is what follows --convert-to (e.g. "docx:MS Word 2007 XML"); its part before ':' is
    the output extension. Raises ExtractFailure: unsupported_format (no LibreOffice), timeout,
    corrupt (LibreOffice could not open the file)."""
    global last_conversion_seconds
    binary = soffice_binary()
    if binary is None:
        raise ExtractFailure("unsupported_format", install_hint)
    out_ext = target.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="soffice-", dir=workdir) as tmp:
        root = Path(tmp)
        src = root / "in" / f"document{src_suffix}"
        out_dir = root / "out"
        src.parent.mkdir()
        out_dir.mkdir()
        src.write_bytes(data)
        cmd = [binary, f"-env:UserInstallation={(root / 'profile').as_uri()}", "--headless",
               "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck"]
        if in_filter:
            cmd.append(f"--infilter={in_filter}")
        cmd += ["--convert-to", target, "--outdir", str(out_dir), str(src)]
        env = dict(os.environ, HOME=str(root))  # caches and dotfiles stay private too
        start = time.monotonic()
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=env, cwd=root, start_new_session=True)
        except OSError as exc:
            raise ExtractFailure("unsupported_format", f"{install_hint}（无法启动 {binary}：{exc.strerror}）") from exc
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            raise ExtractFailure("timeout", f"LibreOffice 转换超过 {timeout:g} 秒") from None
        finally:
            _kill_group(proc)  # a soffice.bin left behind by the launcher
        last_conversion_seconds = time.monotonic() - start
        log.debug("soffice %s -> %s: %.2f s", src_suffix, out_ext, last_conversion_seconds)
        result = out_dir / f"document.{out_ext}"
        if not result.is_file() or result.stat().st_size == 0:
            reason = err.decode("utf-8", "replace").strip().splitlines()
            reason = [r for r in reason if "javaldx" not in r]
            detail = "LibreOffice 无法打开此文件" + (f"（{reason[-1][:120]}）" if reason else "")
            raise ExtractFailure("corrupt", detail)
        return result.read_bytes()


def _check_word97(data: bytes) -> str:
    """Validate an OLE file and return the suffix LibreOffice should see (.doc or .wps).
    Raises corrupt for a broken container, encrypted for a password-protected Word file."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any parse failure is a broken container
        raise ExtractFailure("corrupt", "OLE 复合文档结构损坏") from exc
    try:
        if not ole.exists("WordDocument"):
            return ".wps"  # Microsoft Works / WPS Office's own streams: let LibreOffice detect
        fib = ole.openstream("WordDocument").read(12)
    except Exception as exc:  # noqa: BLE001
        raise ExtractFailure("corrupt", "WordDocument 数据流无法读取") from exc
    finally:
        ole.close()
    if len(fib) < 12:
        raise ExtractFailure("corrupt", "WordDocument 数据流过短")
    ident, _nfib, _unused, _lid, _pnnext, flags = struct.unpack("<6H", fib)
    if ident != 0xA5EC:
        raise ExtractFailure("corrupt", "不是有效的 Word 97-2003 文档")
    if flags & 0x0100:  # FIB fEncrypted
        raise ExtractFailure("encrypted", "Word 文档设有打开密码")
    return ".doc"


def _check_odt(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            manifest = zf.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in zf.namelist() else b""
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise ExtractFailure("corrupt", "ODF 压缩结构损坏") from exc
    if b"encryption-data" in manifest:
        raise ExtractFailure("encrypted", "ODF 文档设有打开密码")


def _source_suffix(fmt: str, data: bytes) -> str:
    if fmt in ("doc", "wps"):
        if not data.startswith(OLE_MAGIC):
            if fmt == "wps":
                return ".wps"  # older Works/WPS files that are not OLE: LibreOffice decides
            raise ExtractFailure("corrupt", "不是有效的 Word 97-2003 文档")
        return _check_word97(data)
    if fmt == "odt":
        _check_odt(data)
        return ".odt"
    return ".rtf"


def _word_extractor(fmt: str):
    def extract(data: bytes, ctx: ExtractContext) -> list[Page]:
        suffix = _source_suffix(fmt, data)
        timeout = min(CONVERT_TIMEOUT_S, ctx.limits.timeout_s)
        converted = convert(data, suffix, "docx:MS Word 2007 XML", timeout=timeout,
                            workdir=ctx.workdir, in_filter=IN_FILTERS.get(suffix))
        docx = extractor_for("docx")
        if docx is None:
            raise ExtractFailure("unsupported_format", "docx 提取器不可用")
        return docx(converted, replace(ctx, suffix=".docx"))

    extract.__name__ = f"extract_{fmt}"
    return extract


for _fmt in ("doc", "wps", "rtf", "odt"):
    register(_fmt)(_word_extractor(_fmt))
