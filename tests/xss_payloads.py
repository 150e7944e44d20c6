"""Hostile Markdown for the security tests (issue #7).

Each payload becomes the body of one topic page, loaded through the real
pipeline (``kb.ingest.loader.load``). Every payload that could run calls
``alert``/``confirm``/``prompt``/``print`` or requests ``/xss-beacon``, so the
browser test (tests/browser/test_security_browser.py) sees it run. The
classes follow the OWASP XSS filter-evasion cheat sheet: raw HTML elements,
event handlers, dangerous URL schemes (encoded, mixed case, split by
whitespace), Markdown links and images, attribute breaking, malformed tags,
entity tricks, CSS, SVG and MathML, mutation XSS, DOM clobbering and
external requests (readers' privacy).

``REJECTED`` holds Markdown the loader refuses with a clean error (an
author-pinned id that would shadow a browser global): the test checks the
error names the file and nothing is loaded.
"""

PAYLOADS = {
    # Raw HTML elements that run script or embed other documents.
    "script-tag": "<script>alert('script-tag')</script>",
    "script-src": '<script src="/xss-beacon?script-src"></script>',
    "script-uppercase": "<SCRIPT>alert('script-uppercase')</SCRIPT>",
    "script-split": "<scr<script>ipt>alert('script-split')</scr</script>ipt>",
    "iframe-javascript": '<iframe src="javascript:alert(\'iframe-javascript\')"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="&lt;script&gt;alert(\'iframe-srcdoc\')&lt;/script&gt;"></iframe>',
    "iframe-data": '<iframe src="data:text/html,<script>alert(\'iframe-data\')</script>"></iframe>',
    "object-data": '<object data="javascript:alert(\'object-data\')"></object>',
    "embed-svg": '<embed src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4=">',
    "svg-onload": "<svg onload=\"alert('svg-onload')\"></svg>",
    "svg-script": "<svg><script>alert('svg-script')</script></svg>",
    "svg-animate": "<svg><animate onbegin=\"alert('svg-animate')\" attributeName=\"x\" dur=\"1s\"/></svg>",
    "svg-xlink": '<svg><a xlink:href="javascript:alert(\'svg-xlink\')"><text x="20" y="20">click</text></a></svg>',
    "svg-foreign-object": "<svg><foreignObject><iframe srcdoc=\"<script>alert('svg-fo')</script>\"></iframe></foreignObject></svg>",
    "math-href": '<math href="javascript:alert(\'math-href\')"><mtext>click</mtext></math>',
    "math-mutation": "<math><mtext><table><mglyph><style><img src=x onerror=\"alert('math-mutation')\">",
    "base-href": '<base href="javascript:alert(\'base-href\')//">\n\n[relative](x)',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(\'meta-refresh\')">',
    "link-stylesheet": '<link rel="stylesheet" href="https://tracker.example/x.css">',
    "style-import": "<style>@import 'https://tracker.example/x.css';</style>",
    "form-action": '<form action="javascript:alert(\'form-action\')"><button>Go</button></form>',
    "input-autofocus": "<input autofocus onfocus=\"alert('input-autofocus')\">",
    "textarea-autofocus": "<textarea autofocus onfocus=\"alert('textarea')\"></textarea>",
    "video-source-onerror": "<video><source onerror=\"alert('video-source')\"></video>",
    "audio-src": "<audio src=x onerror=\"alert('audio-src')\"></audio>",
    "body-onload": "<body onload=\"alert('body-onload')\">",
    "marquee-onstart": "<marquee onstart=\"alert('marquee')\">x</marquee>",
    "template-script": "<template><script>alert('template')</script></template>",
    "noscript-breakout": "<noscript><p title=\"</noscript><img src=x onerror=alert('noscript')>\"></noscript>",
    "xmp-breakout": "<xmp><p title=\"</xmp><img src=x onerror=alert('xmp')>\"></xmp>",
    "frameset": "<frameset onload=\"alert('frameset')\"></frameset>",
    # Event handlers on allowed elements.
    "img-onerror": "<img src=x onerror=\"alert('img-onerror')\">",
    "img-onerror-slashes": "<img/src=x/onerror=alert('img-slashes')>",
    "details-ontoggle": "<details open ontoggle=\"alert('details-ontoggle')\"><summary>x</summary></details>",
    "a-onclick": "<a href=\"/x\" onclick=\"alert('a-onclick')\">click</a>",
    "abbr-onmouseover": "<abbr title=\"x\" onmouseover=\"alert('abbr')\">ABBR</abbr>",
    "div-onpointer": "<div onpointerenter=\"alert('div-pointer')\">hover</div>",
    "span-onanimation": "<span onanimationstart=\"alert('span-anim')\">x</span>",
    "td-background": "<table><tr><td background=\"javascript:alert('td')\">x</td></tr></table>",
    # Dangerous URL schemes in raw HTML: case, entities, whitespace, controls.
    "a-javascript": "<a href=\"javascript:alert('a-javascript')\">click</a>",
    "a-javascript-mixed-case": "<a href=\"JaVaScRiPt:alert('mixed')\">click</a>",
    "a-javascript-leading-space": "<a href=\"  javascript:alert('space')\">click</a>",
    "a-javascript-tab": "<a href=\"java\tscript:alert('tab')\">click</a>",
    "a-javascript-entity-tab": "<a href=\"java&#x09;script:alert('entity-tab')\">click</a>",
    "a-javascript-entity-newline": "<a href=\"java&#10;script:alert('entity-nl')\">click</a>",
    "a-javascript-decimal-entities": "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert('dec')\">click</a>",
    "a-javascript-padded-entities": "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert('pad')\">click</a>",
    "a-javascript-hex-entities": "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert('hex')\">click</a>",
    "a-javascript-named-colon": "<a href=\"javascript&colon;alert('colon')\">click</a>",
    "a-javascript-control-char": "<a href=\"\x01javascript:alert('ctrl')\">click</a>",
    "a-data-html": "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">click</a>",
    "a-vbscript": "<a href=\"vbscript:msgbox('vb')\">click</a>",
    "a-vbscript-mixed-case": "<a href=\"VbScRiPt:msgbox('vb2')\">click</a>",
    "img-javascript-src": "<img src=\"javascript:alert('img-js')\">",
    # Markdown links and images.
    "md-link-javascript": "[click](javascript:alert('md-link'))",
    "md-link-mixed-case": "[click](JaVaScRiPt:alert('md-mixed'))",
    "md-link-entity": "[click](javascript&#58;alert('md-entity'))",
    "md-link-angle": "[click](<javascript:alert('md-angle')>)",
    "md-link-data": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-link-vbscript": "[click](vbscript:msgbox('md-vb'))",
    "md-reference-link": "[click][evil]\n\n[evil]: javascript:alert('md-ref')",
    "md-autolink": "<javascript:alert('md-autolink')>",
    "md-image-javascript": "![x](javascript:alert('md-img'))",
    "md-image-data-svg": "![x](data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4=)",
    "md-image-title-break": "![x](/static/kb/icon.svg \"a\" onerror=\"alert('md-title')\")",
    "md-link-title-break": "[click](/x \"a\" onmouseover=\"alert('md-link-title')\")",
    # Attribute breaking and attr_list.
    "attr-list-onclick": "Text {: onclick=\"alert('attr-list')\" }\n\n## Heading {: onmouseover=\"alert('attr-h')\" }",
    "attr-list-style": "## Styled {: style=\"background:url(/xss-beacon?attr-style)\" }",
    "attr-quote-break": "<a href='/x' title='a' onmouseover='alert(\"quote\")'>q</a>",
    "attr-unquoted-break": "<a href=/x onmouseover=alert('unquoted')>u</a>",
    "attr-backtick": "<img src=`x` onerror=`alert('backtick')`>",
    # Malformed tags and comments.
    "malformed-unclosed": "<img src=x onerror=\"alert('unclosed')\"",
    "malformed-double-open": "<<script>alert('double-open');//<</script>",
    "malformed-quotes": "<IMG \"\"\"><SCRIPT>alert('quotes')</SCRIPT>\">",
    "malformed-comment": "<!--<img src=\"--><img src=x onerror=\"alert('comment')\"//\">",
    "malformed-cdata": "<![CDATA[<script>alert('cdata')</script>]]>",
    "malformed-closing-p": "</p><script>alert('closing-p')</script><p>",
    # Entity tricks in text (must stay text).
    "entity-script-text": "&lt;script&gt;alert('entity-text')&lt;/script&gt;",
    "entity-double-encoded": "&amp;lt;script&amp;gt;alert('double')&amp;lt;/script&amp;gt;",
    # CSS.
    "css-expression": "<div style=\"width: expression(alert('css-expression'))\">x</div>",
    "css-url-javascript": "<span style=\"background:url(javascript:alert('css-url'))\">x</span>",
    "css-behavior": "<div style=\"behavior: url(/xss-beacon?htc)\">x</div>",
    "css-import-in-style-attr": "<p style=\"@import url(/xss-beacon?style-import)\">x</p>",
    # Code must stay code.
    "code-span": "`<script>alert('code-span')</script>`",
    "code-block": "    <script>alert('code-block')</script>",
    "fenced-code": "```\n<img src=x onerror=alert('fenced')>\n```",
    # Admonitions, footnotes, tables carry raw HTML too.
    "admonition-title": "!!! note \"<img src=x onerror=alert('admonition')>\"\n    Body.",
    "footnote-html": "Text[^1].\n\n[^1]: <img src=x onerror=\"alert('footnote')\">",
    "table-cell-html": "| a | b |\n|---|---|\n| <img src=x onerror=\"alert('table')\"> | x |",
    # DOM clobbering through raw-HTML ids and names.
    "clobber-div-location": "<div id=\"location\">x</div>",
    "clobber-span-add-event-listener": "<span id=\"addEventListener\">x</span>",
    "clobber-heading-cookie": "<h2 id=\"cookie\">Cookie</h2>",
    "clobber-anchor-moves": "<span id=\"anchor-moves\">{\"x\": \"y\"}</span>",
    "clobber-img-name": "<img name=\"cookie\" src=\"/static/kb/icon.svg\">",
    "clobber-form-name": "<form name=\"body\"><input name=\"x\"></form>",
    # External requests (readers' privacy).
    "external-md-image": "![pixel](https://tracker.example/pixel.gif)",
    "external-protocol-relative": "![pixel](//tracker.example/pixel.gif)",
    "external-tab-split": "<img src=\"/&#9;/tracker.example/pixel.gif\">",
    "external-backslash": "<img src=\"/\\tracker.example/pixel.gif\">",
    "external-srcset": "<img src=\"/static/kb/icon.svg\" srcset=\"https://tracker.example/p.gif 1x\">",
}

# Front matter is escaped by the templates: these load and must show as text.
FRONT_MATTER_PAYLOADS = {
    "fm-title": {"title": "<script>alert('fm-title')</script>"},
    "fm-summary": {"summary": "\"><img src=x onerror=alert('fm-summary')>"},
    "fm-alias": {"aliases": ["<svg onload=alert('fm-alias')>"]},
}

REJECTED = {
    "pinned-id-location": "## Where {#location}\n\nText.",
    "pinned-id-alert": "## Alert {: #alert }\n\nText.",
}

# Markers that mean a payload ran, for the browser test.
BEACON = "/xss-beacon"


def page_text(slug, body, **front):
    """A topic file with ``body`` (and any front matter overrides)."""
    import yaml

    fields = {"title": f"Payload {slug}", "summary": "A hostile test page.",
              "last_reviewed": "2026-11-01"}
    fields.update(front)
    return f"---\n{yaml.safe_dump(fields, sort_keys=False)}---\nSafe text before.\n\n{body}\n\nSafe text after.\n"


def write_payloads(root):
    """Write every payload (Markdown and front matter) as topics/xss-*.md; return the slugs."""
    from pathlib import Path

    folder = Path(root) / "topics"
    folder.mkdir(parents=True, exist_ok=True)
    slugs = []
    for name, body in PAYLOADS.items():
        slug = f"xss-{name}"
        (folder / f"{slug}.md").write_text(page_text(slug, body), encoding="utf-8")
        slugs.append(slug)
    for name, front in FRONT_MATTER_PAYLOADS.items():
        slug = f"xss-{name}"
        (folder / f"{slug}.md").write_text(page_text(slug, "Body.", **front), encoding="utf-8")
        slugs.append(slug)
    return slugs
