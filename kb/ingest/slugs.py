"""One way to turn names into slugs, shared by aliases, links and anchors."""
import re
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text):
    """'Darzalex Faspro' -> 'darzalex-faspro'; 'D-VRd' -> 'd-vrd'; 'ICARIA-MM' -> 'icaria-mm'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower())
    return text.strip("-")


def is_slug(text):
    return bool(SLUG_RE.match(text))
