"""htmltree.py - a small element tree from html.parser, enough for the
storefront tests to ask what a shopper's browser would see: elements by
tag, id, class or attribute, their text, and the raw markup of a region.

Only the standard library."""

from html.parser import HTMLParser

from souk import TestFailure, check

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = {}
        self.attr_list = attrs  # [(name, value)] as written (repeats kept)
        for k, v in attrs:
            self.attrs.setdefault(k, v if v is not None else "")
        self.parent = parent
        self.children = []  # Element or str

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Element):
                yield from c.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        out = []
        for e in self.iter():
            if tag and e.tag != tag:
                continue
            if cls and cls not in e.classes:
                continue
            if any(e.attrs.get(k.rstrip("_").replace("_", "-")) != v for k, v in attrs.items()):
                continue
            out.append(e)
        return out

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def one(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        if len(found) != 1:
            raise TestFailure("want exactly one <%s class=%r %r>, found %d" % (tag, cls, attrs, len(found)))
        return found[0]

    def text(self):
        parts = []
        for c in self.children:
            parts.append(c if isinstance(c, str) else c.text())
        return "".join(parts)

    def norm_text(self):
        return " ".join(self.text().split())

    def __repr__(self):
        return "<%s %r>" % (self.tag, self.attrs)


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", [])
        self.stack = [self.root]
        self.raw_script = []  # (type attr, raw text) of every <script>

    def handle_starttag(self, tag, attrs):
        e = Element(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(e)
        if tag not in VOID:
            self.stack.append(e)

    def handle_startendtag(self, tag, attrs):
        e = Element(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(e)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html):
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    b = _Builder()
    b.feed(html)
    b.close()
    return b.root


def page(r, status=200, what="page"):
    """Check that r is an HTML page with status; return its tree."""
    if r.status != status:
        raise TestFailure("%s: status %d, want %d: %r" % (what, r.status, status, r.body[:400]))
    ct = r.header("content-type") or ""
    check(ct.startswith("text/html"), "%s: content-type %r" % (what, ct))
    try:
        return parse(r.body)
    except UnicodeDecodeError:
        raise TestFailure("%s: body is not UTF-8" % what)


def meta(doc, name=None, prop=None):
    """content of <meta name=..> or <meta property=..>, or None."""
    for m in doc.find_all("meta"):
        if (name and m.get("name") == name) or (prop and m.get("property") == prop):
            return m.get("content")
    return None


def link_href(doc, rel):
    for e in doc.find_all("link") + doc.find_all("a"):
        if rel in (e.get("rel") or "").split():
            return e.get("href")
    return None
