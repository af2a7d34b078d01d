"""Archival PDF/A-2u: turns reportlab's PDF into a file that passes veraPDF's PDF/A-2u rules.

reportlab writes a sound PDF 1.4, but PDF/A needs more: XMP metadata that repeats the document
info dictionary exactly, an sRGB OutputIntent (reportlab paints in DeviceRGB), a trailer /ID,
streams whose keywords end lines the strict way, print-flagged annotations, and none of the
things an archive cannot keep (JavaScript, embedded files, LZW, PostScript, launch actions).
The PDF writer has reportlab write all of that itself (`prepare_document`, below: no second
pass, no pikepdf import). `to_pdfa2u` post-processes any PDF's bytes with pikepdf (qpdf); the
writer still uses it for what reportlab cannot write (CMYK images, see `needs_rewrite`). Both
are byte-reproducible: the same input and metadata give the same output, because every date
comes from the caller and the IDs from `document_id` or a hash of the input.

Fonts cannot be fixed afterwards: the writer embeds TrueType subsets with ToUnicode maps, and
a font without a program or a ToUnicode map is reported (diagnostics.warn), not silently kept.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from octavo import diagnostics
from octavo.errors import WriterError

if TYPE_CHECKING:
    import pikepdf

PDF_VERSION = "1.7"
"""PDF/A-2 is built on ISO 32000-1 (PDF 1.7); veraPDF accepts headers 1.0-1.7."""

SRGB_NAME = "sRGB IEC61966-2.1"

# The sRGB profile of LittleCMS, made by Pillow:
#   ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
# with its creation date (header bytes 24-35) fixed at 2024-01-01 so the output stays
# reproducible (lcms stamps "now"). An ICC v4.4 display profile, 588 bytes, accepted by
# PDF/A-2 (ICC.1:2004-10); its copyright tag says "No copyright, use freely".
_SRGB_ICC_B64 = """
AAACTGxjbXMEQAAAbW50clJHQiBYWVogB+gAAQABAAAAAAAAYWNzcEFQUEwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
APbWAAEAAAAA0y1sY21zAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAALZGVzYwAA
AQgAAAA2Y3BydAAAAUAAAABMd3RwdAAAAYwAAAAUY2hhZAAAAaAAAAAsclhZWgAAAcwAAAAUYlhZWgAAAeAAAAAUZ1hZ
WgAAAfQAAAAUclRSQwAAAggAAAAgZ1RSQwAAAggAAAAgYlRSQwAAAggAAAAgY2hybQAAAigAAAAkbWx1YwAAAAAAAAAB
AAAADGVuVVMAAAAaAAAAHABzAFIARwBCACAAYgB1AGkAbAB0AC0AaQBuAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAADAA
AAAcAE4AbwAgAGMAbwBwAHkAcgBpAGcAaAB0ACwAIAB1AHMAZQAgAGYAcgBlAGUAbAB5WFlaIAAAAAAAAPbWAAEAAAAA
0y1zZjMyAAAAAAABDEIAAAXe///zJQAAB5MAAP2Q///7of///aIAAAPcAADAblhZWiAAAAAAAABvoAAAOPUAAAOQWFla
IAAAAAAAACSfAAAPhAAAtsNYWVogAAAAAAAAYpcAALeHAAAY2XBhcmEAAAAAAAMAAAACZmYAAPKnAAANWQAAE9AAAApb
Y2hybQAAAAAAAwAAAACj1wAAVHsAAEzNAACZmgAAJmYAAA9c
"""


def escape(text: str) -> str:
    """&, < and > as XML entities (html.escape: reportlab has it loaded already; saxutils'
    import pulls in urllib and http.client, ~29 ms a start)."""
    return html.escape(text, quote=False)


@functools.cache
def srgb_profile() -> bytes:
    """The embedded sRGB ICC profile (the OutputIntent's DestOutputProfile), decoded once."""
    return base64.b64decode("".join(_SRGB_ICC_B64.split()))


def to_pdfa2u(
    pdf: bytes,
    *,
    title: str,
    authors: Sequence[str],
    language: str,
    subject: str | None,
    keywords: Sequence[str],
    creator: str,
    producer: str | None,
    created: datetime,
    modified: datetime,
    document_id: bytes | None = None,
) -> bytes:
    """The PDF/A-2u version of `pdf`, with Info and XMP metadata set from the arguments.

    Naive datetimes are taken as UTC. `producer=None` keeps the producer the PDF names.
    `document_id` (any bytes, e.g. a hash of the book) fixes the first half of the trailer
    /ID and xmpMM:DocumentID; without it both derive from a hash of `pdf` and the metadata.
    """
    import pikepdf

    created, modified = _aware(created), _aware(modified)
    meta = _Meta.of(title, authors, subject, keywords, creator, "", created, modified, language)
    seed = document_id if document_id is not None else _content_seed(pdf, meta)
    doc_id = hashlib.sha256(b"octavo-pdfa-document\0" + seed).digest()[:16]
    instance_id = hashlib.sha256(b"octavo-pdfa-instance\0" + seed + pdf).digest()[:16]

    try:
        return _convert(pikepdf.open(io.BytesIO(pdf)), meta, producer, doc_id, instance_id)
    except pikepdf.PdfError as exc:
        raise WriterError(
            f"could not make the PDF archival (PDF/A-2u): {exc}",
            hint="this is a bug in octavo's PDF writer; please report it with the input",
        ) from exc


def _convert(doc: pikepdf.Pdf, meta: _Meta, producer: str | None, doc_id: bytes,
             instance_id: bytes) -> bytes:
    import pikepdf

    with doc:
        if producer is None:
            old = doc.docinfo.get("/Producer") if "/Info" in doc.trailer else None
            producer = str(old) if old is not None else ""
        meta.producer = _clean(producer)
        _strip_catalog(doc)
        _fix_pages(doc)
        _fix_objects(doc)
        _check_fonts(doc)
        if meta.language and "/Lang" not in doc.Root:
            doc.Root.Lang = pikepdf.String(meta.language)
        doc.Root.OutputIntents = pikepdf.Array([_output_intent(doc)])
        _set_info(doc, meta)
        xmp = _xmp(meta, doc_id=doc_id, instance_id=instance_id)
        doc.Root.Metadata = doc.make_stream(
            xmp, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML
        )
        # qpdf keeps /ID[0] and, with deterministic_id, makes /ID[1] an MD5 of the content.
        doc.trailer.ID = pikepdf.Array([pikepdf.String(doc_id), pikepdf.String(doc_id)])
        out = io.BytesIO()
        doc.save(
            out,
            force_version=PDF_VERSION,
            deterministic_id=True,
            fix_metadata_version=False,  # it would rewrite the XMP with today's MetadataDate
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
            linearize=False,
        )
    return out.getvalue()


# --- metadata -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Meta:
    """The metadata both the Info dictionary and the XMP packet say, already cleaned."""

    title: str
    author: str
    subject: str
    keywords: str
    creator: str
    producer: str
    created: datetime
    modified: datetime
    language: str

    @classmethod
    def of(cls, title: str, authors: Iterable[str], subject: str | None,
           keywords: Iterable[str], creator: str, producer: str, created: datetime,
           modified: datetime, language: str) -> _Meta:
        return cls(
            title=_clean(title),
            author=_clean(", ".join(a for a in authors if a.strip())),
            subject=_clean(subject or ""),
            keywords=_clean(", ".join(k for k in keywords if k.strip())),
            creator=_clean(creator),
            producer=_clean(producer),
            created=created,
            modified=modified,
            language=language,
        )


# XML 1.0 has no place for most C0 controls (nor UTF-8 for lone surrogates), and Info strings
# must say exactly what XMP says, so they go from both; whitespace runs become one space.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _CONTROLS.sub("", text)).strip()


def _aware(when: datetime) -> datetime:
    when = when.replace(microsecond=0)  # neither the Info nor our XMP date keeps fractions
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when


def _content_seed(pdf: bytes, meta: _Meta) -> bytes:
    parts = [meta.title, meta.author, meta.subject, meta.keywords, meta.creator,
             meta.created.isoformat(), meta.modified.isoformat(), meta.language]
    return hashlib.sha256(pdf + "\0".join(parts).encode("utf-8")).digest()


def _offset(when: datetime) -> tuple[str, int, int]:
    delta = when.utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "-" if minutes < 0 else "+"
    return sign, abs(minutes) // 60, abs(minutes) % 60


def pdf_date(when: datetime) -> str:
    """D:YYYYMMDDHHmmSS+HH'mm' (ISO 32000-1 7.9.4), in the datetime's own offset."""
    sign, hh, mm = _offset(when)
    return f"D:{when:%Y%m%d%H%M%S}{sign}{hh:02d}'{mm:02d}'"


def xmp_date(when: datetime) -> str:
    """YYYY-MM-DDThh:mm:ss+hh:mm, the same instant and offset as pdf_date."""
    sign, hh, mm = _offset(when)
    return f"{when:%Y-%m-%dT%H:%M:%S}{sign}{hh:02d}:{mm:02d}"


def _set_info(doc: pikepdf.Pdf, meta: _Meta) -> None:
    import pikepdf

    info = pikepdf.Dictionary()
    values = {"/Title": meta.title, "/Author": meta.author, "/Subject": meta.subject,
              "/Keywords": meta.keywords, "/Creator": meta.creator, "/Producer": meta.producer,
              "/CreationDate": pdf_date(meta.created), "/ModDate": pdf_date(meta.modified)}
    for key, value in values.items():
        if value:  # an empty entry would need an empty XMP property; neither says anything
            info[key] = pikepdf.String(value)
    doc.trailer.Info = doc.make_indirect(info)


_NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}


def _xmp(meta: _Meta, *, doc_id: bytes, instance_id: bytes) -> bytes:
    def alt(text: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(text)}</rdf:li></rdf:Alt>'

    def items(kind: str, values: Iterable[str]) -> str:
        lis = "".join(f"<rdf:li>{escape(v)}</rdf:li>" for v in values)
        return f"<rdf:{kind}>{lis}</rdf:{kind}>"

    props: list[tuple[str, str]] = [("dc:format", "application/pdf")]
    if meta.title:
        props.append(("dc:title", alt(meta.title)))
    if meta.author:
        # One entry, the same line as Info /Author: PDF/A-1 (6.7.3) demands exactly one, and
        # validators that carry that rule over to PDF/A-2 then still find the two equivalent.
        props.append(("dc:creator", items("Seq", [meta.author])))
    if meta.subject:
        props.append(("dc:description", alt(meta.subject)))
    if meta.language:
        props.append(("dc:language", items("Bag", [meta.language])))
    if meta.keywords:
        props.append(("pdf:Keywords", escape(meta.keywords)))
    if meta.producer:
        props.append(("pdf:Producer", escape(meta.producer)))
    if meta.creator:
        props.append(("xmp:CreatorTool", escape(meta.creator)))
    props += [
        ("xmp:CreateDate", xmp_date(meta.created)),
        ("xmp:ModifyDate", xmp_date(meta.modified)),
        ("xmp:MetadataDate", xmp_date(meta.modified)),
        ("xmpMM:DocumentID", f"uuid:{uuid.UUID(bytes=doc_id)}"),
        ("xmpMM:InstanceID", f"uuid:{uuid.UUID(bytes=instance_id)}"),
        ("pdfaid:part", "2"),
        ("pdfaid:conformance", "U"),
    ]
    ns = "".join(f'\n    xmlns:{p}="{uri}"' for p, uri in _NAMESPACES.items())
    body = "".join(f"\n   <{name}>{value}</{name}>" for name, value in props)
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'  <rdf:Description rdf:about=""{ns}>{body}\n'
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
    )
    # Padding lets a later editor update the packet in place (XMP spec part 1, 7.3.2).
    padding = (" " * 99 + "\n") * 20
    return (packet + padding + '<?xpacket end="w"?>').encode("utf-8")


def _output_intent(doc: pikepdf.Pdf) -> pikepdf.Dictionary:
    import pikepdf

    profile = doc.make_stream(srgb_profile(), N=3)
    return pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String(SRGB_NAME),
        Info=pikepdf.String(SRGB_NAME),
        RegistryName=pikepdf.String("http://www.color.org"),
        DestOutputProfile=profile,
    )


# --- removing what PDF/A forbids ------------------------------------------------------------

# ISO 19005-2 6.5.1 / 6.6.1: actions an archive cannot keep.
_FORBIDDEN_ACTIONS = frozenset({
    "/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/Hide", "/SetOCGState",
    "/Rendition", "/Trans", "/GoTo3DView", "/JavaScript",
})
_FORBIDDEN_ANNOTS = frozenset({"/3D", "/Sound", "/Screen", "/Movie", "/FileAttachment",
                               "/RichMedia", "/TrapNet", "/PrinterMark", "/Watermark"})
_ALLOWED_NAMED = frozenset({"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"})
# Annotation flags: Invisible 1, Hidden 2, Print 4, NoView 32, ToggleNoView 256 (6.3.2).
_FLAG_PRINT = 4
_FLAGS_HIDING = 1 | 2 | 32 | 256


def _strip_catalog(doc: pikepdf.Pdf) -> None:
    root = doc.Root
    for key in ("/AA", "/Version", "/Requirements", "/NeedsRendering"):
        if key in root:
            del root[key]
    if "/Names" in root:
        for key in ("/JavaScript", "/EmbeddedFiles", "/AlternatePresentations"):
            if key in root.Names:
                del root.Names[key]
    if "/OpenAction" in root and not _action_ok(root.OpenAction):
        del root["/OpenAction"]
    if "/AcroForm" in root:
        form = root.AcroForm
        for key in ("/XFA", "/NeedAppearances"):
            if key in form:
                del form[key]
    if "/Outlines" in root:
        _fix_outline(root.Outlines)


def _fix_outline(node: Any) -> None:
    seen: set[tuple[int, int]] = set()
    stack = [node.get("/First")]
    while stack:
        item = stack.pop()
        if item is None or item.objgen in seen:
            continue
        seen.add(item.objgen)
        if "/A" in item and not _action_ok(item.A):
            del item["/A"]
        stack += [item.get("/First"), item.get("/Next")]


def _action_ok(action: Any) -> bool:
    """Whether an action (and every action it chains with /Next) is allowed in PDF/A-2."""
    import pikepdf

    if not isinstance(action, pikepdf.Dictionary):
        return True  # an explicit destination array, not an action
    kind = str(action.get("/S", ""))
    if kind in _FORBIDDEN_ACTIONS:
        return False
    if kind == "/Named" and str(action.get("/N", "")) not in _ALLOWED_NAMED:
        return False
    nxt = action.get("/Next")
    if nxt is None:
        return True
    chained = nxt if isinstance(nxt, pikepdf.Array) else [nxt]
    return all(_action_ok(a) for a in chained)


def _fix_pages(doc: pikepdf.Pdf) -> None:
    import pikepdf

    for page in doc.pages:
        obj = page.obj
        for key in ("/AA", "/PresSteps"):
            if key in obj:
                del obj[key]
        annots = obj.get("/Annots")
        if annots is None:
            continue
        kept = pikepdf.Array()
        for annot in annots:
            if str(annot.get("/Subtype", "")) in _FORBIDDEN_ANNOTS:
                continue
            _fix_annotation(annot)
            kept.append(annot)
        if len(kept):
            obj.Annots = kept
        else:
            del obj["/Annots"]


def _fix_annotation(annot: Any) -> None:
    """Print flag on, hiding flags off, no additional actions, no forbidden action (6.3)."""
    flags = int(annot.get("/F", 0))
    annot.F = (flags | _FLAG_PRINT) & ~_FLAGS_HIDING
    if "/AA" in annot:
        del annot["/AA"]
    if "/A" in annot and not _action_ok(annot.A):
        del annot["/A"]
    if "/CA" in annot and float(annot.CA) != 1.0:
        annot.CA = 1.0


def _fix_objects(doc: pikepdf.Pdf) -> None:
    """Per stream: no LZW (6.1.7.2), no PostScript XObjects, OPI or interpolation (6.2.8-9)."""
    import pikepdf

    for obj in doc.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        if _uses_lzw(obj):
            # Stored decoded (write() drops /Filter and /DecodeParms); save() flates it again.
            obj.write(obj.read_bytes())
        subtype = str(obj.get("/Subtype", ""))
        if subtype == "/Image":
            if obj.get("/ColorSpace") == pikepdf.Name.DeviceCMYK:
                _cmyk_to_rgb(obj)
            for key in ("/Alternates", "/OPI"):
                if key in obj:
                    del obj[key]
            if obj.get("/Interpolate") is not None:
                obj.Interpolate = False
        elif subtype == "/Form":
            for key in ("/OPI", "/Ref", "/Subtype2", "/PS"):
                if key in obj:
                    del obj[key]
        elif subtype == "/PS":
            # A PostScript XObject is painted by nothing PDF/A allows: make it an empty form.
            obj.write(b"")
            obj.Subtype = pikepdf.Name.Form
            obj.BBox = pikepdf.Array([0, 0, 0, 0])


def _cmyk_to_rgb(image: Any) -> None:
    """Repaint a CMYK image in sRGB: DeviceCMYK needs a CMYK OutputIntent, ours is sRGB (6.2.4.3).

    reportlab passes a CMYK JPEG through as it is. Pillow reads the JPEG itself (Adobe's
    inverted CMYK included), so the image's /Decode no longer applies; an embedded ICC profile
    drives the conversion when there is one.
    """
    import pikepdf
    from PIL import Image as PILImage
    from PIL import ImageCms

    filters = image.get("/Filter")
    if filters == pikepdf.Name.DCTDecode:
        picture = PILImage.open(io.BytesIO(image.read_raw_bytes()))
        picture.load()
    else:
        picture = pikepdf.PdfImage(image).as_pil_image()
    rgb: Any = None
    icc = picture.info.get("icc_profile")
    if picture.mode == "CMYK" and icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            target = ImageCms.ImageCmsProfile(io.BytesIO(srgb_profile()))
            rgb = ImageCms.profileToProfile(picture, source, target, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            rgb = None  # a broken profile: fall back to the plain formula below
    if rgb is None:
        rgb = picture.convert("RGB")
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=92, optimize=False)
    for key in ("/Decode", "/DecodeParms"):
        if key in image:
            del image[key]
    image.write(out.getvalue(), filter=pikepdf.Name.DCTDecode)
    image.ColorSpace = pikepdf.Name.DeviceRGB
    image.BitsPerComponent = 8
    image.Width, image.Height = rgb.size


def _uses_lzw(stream: Any) -> bool:
    import pikepdf

    filters = stream.get("/Filter")
    if filters is None:
        return False
    names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
    return "/LZWDecode" in names


def _check_fonts(doc: pikepdf.Pdf) -> None:
    """Warn about fonts that keep the file from PDF/A-2u: no embedded program or no ToUnicode."""
    for name, problem in font_problems(doc):
        diagnostics.warn(
            "pdfa-font",
            f"the archival PDF may fail PDF/A-2u validation: font {name} {problem}",
        )


def font_problems(doc: pikepdf.Pdf) -> list[tuple[str, str]]:
    """(font name, problem) for each font without an embedded program or a ToUnicode map."""
    import pikepdf

    problems: list[tuple[str, str]] = []
    for obj in doc.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != pikepdf.Name.Font:
            continue
        subtype = str(obj.get("/Subtype", ""))
        name = str(obj.get("/BaseFont", "?")).lstrip("/")
        if subtype == "/Type3":
            continue  # glyphs are content streams: nothing to embed
        if "/ToUnicode" not in obj:
            problems.append((name, "has no ToUnicode map"))
        descriptor = obj.get("/FontDescriptor")
        if subtype == "/Type0":
            descendants = obj.get("/DescendantFonts")
            descriptor = descendants[0].get("/FontDescriptor") if descendants else None
        if descriptor is None or not any(
            k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            problems.append((name, "is not embedded"))
    return problems


# --- written by reportlab directly ----------------------------------------------------------
# Opening and saving every PDF again with pikepdf costs a third of a small PDF's time and
# pikepdf's import a tenth of a single conversion's. reportlab can write all the parts itself:
# `prepare_document` puts our Info, the XMP packet, the sRGB OutputIntent and the PDF 1.7
# header into its document before it is saved, `mark_annotation` sets the print flag, and
# streams get their end-of-line before `endstream` (6.1.7.1). What only a rewrite can repair
# (CMYK JPEGs that reportlab passes through, unembedded standard fonts) is found by
# `needs_rewrite` in the finished bytes; then `to_pdfa2u` runs as before.

_STRICT = "_octavo_pdfa"
"""Attribute set on reportlab PDFDocuments whose streams must end their data with an EOL."""


def document_seed(*parts: str) -> bytes:
    """A fingerprint of what a document says, for its XMP DocumentID (same text, same ID)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.digest()


def prepare_document(
    canvas: Any,
    *,
    title: str,
    authors: Sequence[str],
    language: str,
    subject: str | None,
    keywords: Sequence[str],
    creator: str,
    created: datetime,
    modified: datetime,
    document_id: bytes,
) -> None:
    """Make reportlab's document for `canvas` save itself as PDF/A-2u (see above).

    Call before the document is saved (e.g. in a DocTemplate's beforeDocument). The Info
    dictionary is ours, not reportlab's, so that it says exactly what the XMP says.
    """
    from reportlab.pdfbase.pdfdoc import (
        PDFArray,
        PDFCatalog,
        PDFDictionary,
        PDFName,
        PDFStream,
        PDFString,
    )

    _install_strict_streams()
    doc = canvas._doc
    created, modified = _aware(created), _aware(modified)
    meta = _Meta.of(title, authors, subject, keywords, creator, str(doc.info.producer), created,
                    modified, language)
    stamp = f"{pdf_date(created)}\0{pdf_date(modified)}".encode()
    doc_id = hashlib.sha256(b"octavo-pdfa-document\0" + document_id).digest()[:16]
    instance_id = hashlib.sha256(b"octavo-pdfa-instance\0" + document_id + stamp).digest()[:16]
    setattr(doc, _STRICT, True)
    doc._pdfVersion = (1, 7)
    doc.info = _info_class()(meta)
    catalog = doc.Catalog
    if meta.language:
        catalog.Lang = PDFString(meta.language)
    metadata = PDFStream(PDFDictionary({"Type": PDFName("Metadata"),
                                        "Subtype": PDFName("XML")}),
                         _xmp(meta, doc_id=doc_id, instance_id=instance_id))
    # No filter: reportlab compresses only the streams that ask for it (pages, fonts), and the
    # metadata stream must stay readable without decoding (6.6.2.1).
    catalog.Metadata = metadata
    profile = PDFStream(PDFDictionary({"N": 3}), srgb_profile())
    intent = PDFDictionary({
        "Type": PDFName("OutputIntent"),
        "S": PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": PDFString(SRGB_NAME),
        "Info": PDFString(SRGB_NAME),
        "RegistryName": PDFString("http://www.color.org"),
        "DestOutputProfile": doc.Reference(profile),
    })
    # PDFCatalog writes the keys its __NoDefault__ lists; an instance list adds ours.
    catalog.__NoDefault__ = [*PDFCatalog.__NoDefault__, "OutputIntents"]
    catalog.OutputIntents = PDFArray([intent])


@functools.cache
def _info_class() -> type:
    from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFObject, PDFString

    class _Info(PDFObject):  # type: ignore[misc]
        """The document information dictionary: only the entries the XMP repeats (6.6.2.3.1)."""

        invariant = 1

        def __init__(self, meta: _Meta) -> None:
            values = {"Title": meta.title, "Author": meta.author, "Subject": meta.subject,
                      "Keywords": meta.keywords, "Creator": meta.creator,
                      "Producer": meta.producer, "CreationDate": pdf_date(meta.created),
                      "ModDate": pdf_date(meta.modified)}
            self.values = {k: v for k, v in values.items() if v}

        def digest(self, md5: Any) -> None:
            """reportlab hashes the Info into the trailer /ID."""
            for value in self.values.values():
                md5.update(value.encode("utf-8", "surrogatepass"))

        def format(self, document: Any) -> bytes:
            entries = {k: PDFString(v) for k, v in self.values.items()}
            return PDFDictionary(entries).format(document)  # type: ignore[no-any-return]

    return _Info


def mark_annotation(annotation: Any) -> None:
    """Print flag on (6.3.2) for an annotation reportlab is about to add."""
    from reportlab.pdfbase.pdfdoc import PDFDictionary

    if isinstance(annotation, PDFDictionary):
        annotation.dict.setdefault("F", _FLAG_PRINT)
    elif isinstance(getattr(annotation, "otherkw", None), dict):
        annotation.otherkw.setdefault("F", _FLAG_PRINT)


def needs_rewrite(pdf: bytes) -> bool:
    """Whether reportlab's PDF/A output still needs pikepdf: a CMYK image (reportlab passes
    CMYK JPEGs through) or a standard font it does not embed."""
    return b"/DeviceCMYK" in pdf or b"/Type1" in pdf


_strict_installed = False


def _install_strict_streams() -> None:
    """reportlab ends stream data with `endstream` right after the last byte; PDF/A wants an
    EOL before it (not counted in /Length). Only documents marked by prepare_document."""
    global _strict_installed
    if _strict_installed:
        return
    from reportlab.pdfbase.pdfdoc import PDFStream

    plain = PDFStream.format

    def format(self: Any, document: Any) -> bytes:
        out: bytes = plain(self, document)
        # Always: data that itself ends with a line feed (1 deflated stream in 256) still
        # needs an EOL of its own, or a reader takes its last byte for the EOL (Length off).
        if getattr(document, _STRICT, False) and out.endswith(b"endstream\n"):
            out = out[:-10] + b"\nendstream\n"
        return out

    PDFStream.format = format
    _strict_installed = True
