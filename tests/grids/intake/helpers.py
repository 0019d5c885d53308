import re

from grids.models import Building
from tests.factories import community_of


def solve(html: str) -> tuple[str, str]:
    """(token, answer) of the challenge on a rendered page, the way a person would read it."""
    token = re.search(r'name="challenge_token" value="([^"]+)"', html).group(1)
    question = re.search(r'class="challenge-question">([^<]+)<', html).group(1)
    a, b = (int(n) for n in re.findall(r"\d+", question)[:2])
    return token, str(a - b if ("minus" in question or "减" in question) else a + b)


def make_building(grid, number="00001", name="3号楼", address="幸福路3号"):
    return Building.objects.create(grid=grid, community=community_of(grid), number=number, name=name,
                                   address=address)


def selected(html: str, name: str) -> list[str]:
    """Values of the selected options of the <select name=...> (or checked radios)."""
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if match:
        return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', match.group(1))
    return re.findall(rf'<input type="radio" name="{name}" value="([^"]*)"[^>]*\bchecked\b', html)


def option_values(html: str, name: str) -> list[str]:
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]+)"', match.group(1)) if match else []
