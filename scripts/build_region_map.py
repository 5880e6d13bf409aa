"""Build cases/region_map.json, the outlines of the seven regions, from Natural Earth.

Run once by hand (`.venv/bin/python scripts/build_region_map.py`); it needs `npm` and the
network to fetch the npm package `world-atlas` (Natural Earth 1:110m countries, public
domain) into a temporary directory outside the repository. Only the derived SVG path data
is committed.

Each country goes to one region by its ISO 3166-1 code (see REGIONS): Latin America is
Mexico, Central and South America and the Caribbean; the Middle East is Egypt, Turkey, Iran
and the Arab states of West Asia with Israel and Palestine; North America is Canada, the
United States, Greenland, Bermuda and Saint Pierre and Miquelon; Russia is in Europe (as in
UN M49); the Caucasus, Central Asia, Afghanistan and Pakistan are in Asia. Antarctica and the
French Southern Territories are left out. Borders between countries of one region are
dropped (the arcs used twice), each remaining arc is simplified once (Douglas–Peucker) so
neighbouring regions still meet, and the map is an equirectangular projection rounded to
whole units.
"""

import json
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

from django_countries.data import ALT_CODES

PACKAGE = "world-atlas@2.0.2"
OUTPUT = Path(__file__).resolve().parent.parent / "cases" / "region_map.json"
SCALE = 2.5  # map units per degree: 900 units across
TOP, BOTTOM = 84.0, -57.0  # latitudes kept: from Greenland to Cape Horn
WIDTH = round(360 * SCALE)
TOLERANCE = 0.5  # Douglas–Peucker tolerance, map units
MIN_AREA = 1.5  # islands smaller than this (square map units) are left out

REGIONS = {
    "africa": "DZ AO BJ BW BF BI CM CV CF TD KM CG CD CI DJ GQ ER SZ ET GA GM GH GN GW KE LS LR "
    "LY MG MW ML MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW",
    "asia": "AF AM AZ BD BT BN KH CN GE HK IN ID JP KZ KP KR KG LA MY MV MN MM NP PK PH SG LK "
    "TW TJ TH TL TM UZ VN",
    "europe": "AL AD AT BY BE BA BG HR CY CZ DK EE FI FR DE GR HU IS IE IT LV LI LT LU MT MD MC "
    "ME NL MK NO PL PT RO RU SM RS SK SI ES SE CH UA GB VA",
    "latin-america": "AR BS BB BZ BO BR CL CO CR CU DM DO EC SV FK GF GD GT GY HT HN JM MX NI PA "
    "PY PE PR KN LC VC SR TT UY VE",
    "middle-east": "BH EG IR IQ IL JO KW LB OM PS QA SA SY TR AE YE",
    "north-america": "BM CA GL PM US",
    "oceania": "AU FJ NC NZ PG SB VU WS TO KI FM MH PW NR TV",
}
LEFT_OUT = {"010", "260"}  # Antarctica, French Southern Territories
UNCODED = {"N. Cyprus": "europe", "Somaliland": "africa", "Kosovo": "europe"}


def numeric_regions() -> dict[str, str]:
    """ISO numeric code (as world-atlas writes it) → region slug."""
    return {
        f"{ALT_CODES[code][1]:03d}": slug
        for slug, codes in REGIONS.items()
        for code in codes.split()
    }


def fetch_atlas() -> dict:
    """The TopoJSON of countries-110m.json, from the npm package, in a temporary directory."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--pack-destination", tmp], check=True)
        tarball = next(Path(tmp).glob("world-atlas-*.tgz"))
        with tarfile.open(tarball) as archive:
            return json.load(archive.extractfile("package/countries-110m.json"))


def project(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc, delta-decoded and projected to map units (x east, y down)."""
    (kx, ky), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            lon, lat = x * kx + tx, y * ky + ty
            points.append(((lon + 180) * SCALE, (TOP - lat) * SCALE))
        arcs.append(points)
    return arcs


def simplify(points: list, tolerance: float) -> list:
    """Douglas–Peucker: the points that keep the line within `tolerance` of the original."""
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    far, index = 0.0, 0
    for i, (x, y) in enumerate(points[1:-1], 1):
        if length:
            distance = abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length
        else:
            distance = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
        if distance > far:
            far, index = distance, i
    if far <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[: index + 1], tolerance)[:-1] + simplify(points[index:], tolerance)


def region_polygons(topology: dict) -> dict[str, list[list[list[int]]]]:
    """Region slug → its countries' polygons (rings of arc indices)."""
    regions = numeric_regions()
    polygons = defaultdict(list)
    for geometry in topology["objects"]["countries"]["geometries"]:
        code, name = geometry.get("id"), geometry["properties"]["name"]
        if code in LEFT_OUT:
            continue
        slug = regions.get(code) or UNCODED.get(name)
        if slug is None:
            sys.exit(f"{name} ({code}) has no region: add it to REGIONS")
        parts = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in parts:
            polygons[slug_of_part(slug, code, polygon, topology)].append(polygon)
    return polygons


def slug_of_part(slug: str, code: str, polygon: list, topology: dict) -> str:
    """A country's region, except France's polygons west of 30°W (French Guiana)."""
    if code != "250":
        return slug
    first = polygon[0][0]
    arc = topology["arcs"][first if first >= 0 else ~first]
    lon = arc[0][0] * topology["transform"]["scale"][0] + topology["transform"]["translate"][0]
    return "latin-america" if lon < -30 else slug


def outline(polygons: list, arcs: list) -> list[list[tuple[int, int]]]:
    """The rings around a region: its arcs used once (coasts and borders with other regions),
    chained end to start; arcs used twice are borders inside the region."""
    uses = defaultdict(int)
    for polygon in polygons:
        for ring in polygon:
            for index in ring:
                uses[index if index >= 0 else ~index] += 1
    starts = defaultdict(list)
    for polygon in polygons:
        for ring in polygon:
            for index in ring:
                if uses[index if index >= 0 else ~index] == 1:
                    line = arcs[index] if index >= 0 else arcs[~index][::-1]
                    starts[line[0]].append(line)
    rings = []
    while any(starts.values()):
        start = next(point for point, lines in starts.items() if lines)
        ring, point = [start], start
        while starts[point]:
            line = starts[point].pop()
            ring.extend(line[1:])
            point = line[-1]
        rings.append(ring)
    return rings


def area(ring: list) -> float:
    """Unsigned area of a closed ring (shoelace)."""
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise([*ring, ring[0]])))


def path_data(rings: list) -> str:
    """SVG path data: an absolute move per ring, then relative lines, closed."""
    parts = []
    for ring in rings:
        if area(ring) / 2 < MIN_AREA:
            continue
        points = [p for i, p in enumerate(ring) if i == 0 or p != ring[i - 1]]
        if len(points) > 1 and points[-1] == points[0]:
            points.pop()  # z closes the ring
        (x0, y0), steps = points[0], []
        for (xa, ya), (xb, yb) in pairwise(points):
            # A step across the antimeridian (Chukotka, Fiji) goes on past the map's edge.
            dx = (xb - xa + WIDTH // 2) % WIDTH - WIDTH // 2
            steps.append(f"{dx} {yb - ya}")
        parts.append(f"M{x0} {y0}l" + " ".join(steps).replace(" -", "-") + "z")
    return "".join(parts)


def build() -> dict:
    """The viewBox and each region's path data."""
    topology = fetch_atlas()
    arcs = [
        [(round(x), round(y)) for x, y in simplify(arc, TOLERANCE)] for arc in project(topology)
    ]
    regions = {
        slug: path_data(outline(polygons, arcs))
        for slug, polygons in sorted(region_polygons(topology).items())
    }
    height = round((TOP - BOTTOM) * SCALE)
    source = f"Natural Earth 1:110m (public domain), npm {PACKAGE}, by scripts/build_region_map.py"
    return {"source": source, "viewBox": f"0 0 {WIDTH} {height}", "regions": regions}


if __name__ == "__main__":
    data = build()
    OUTPUT.write_text(json.dumps(data, indent=0) + "\n")
    print(f"{OUTPUT}: {OUTPUT.stat().st_size} bytes")
