"""The `prescreen` command. Thin wrappers over library calls; errors become messages here."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="prescreen")
def main() -> None:
    """Prescreen：智慧教育评价申报材料预审。

    读取申报材料，按评价指标体系给出候选分数、所用佐证和缺失的必备指标，交评审人员确认。
    """


from flows.cli_classify import classify  # noqa: E402
from flows.cli_corpus import corpus, eval_command  # noqa: E402
from flows.cli_extract import extract  # noqa: E402
from flows.cli_review import review  # noqa: E402
from flows.cli_rubrics import rubrics  # noqa: E402
from flows.cli_screen import screen, screen_batch  # noqa: E402

main.add_command(rubrics)
main.add_command(extract)
main.add_command(classify)
main.add_command(corpus)
main.add_command(eval_command)
main.add_command(review)
main.add_command(screen)
main.add_command(screen_batch)

if __name__ == "__main__":  # pragma: no cover
    main()
