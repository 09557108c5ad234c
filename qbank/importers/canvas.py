"""Canvas Classic Quizzes and other QTI 1.2 (``--from canvas``): packages (zip) or ``.xml`` files.

Items are found anywhere under ``questestinterop`` (assessments, sections, object banks). The type
comes from Canvas's ``question_type`` metadata when present, otherwise from the presentation
(``response_lid`` single/multiple, several ``response_lid`` = matching, ``response_str`` = short
answer, numerical with ``fibtype="Decimal"``, essay when nothing is scored), which also reads
Respondus and similar exports. Keys are the answers the highest-scoring condition accepts (a
condition that sets the score when every score is 0). Fill-in-multiple-blanks and
multiple-dropdowns items become cloze questions: each ``[blank]`` of the text a gap (named after
the blank), its labels the accepted answers or the drop-down's options, its share of the score the
gap's points. ``general_fb`` / ``..._ALL`` feedback is the
explanation, ``<answer>_fb`` or feedback linked from one answer's condition is that choice's feedback;
right/wrong feedback has no qbank field and is reported (QB911). Question-group sections titled
``Domain <id>: ...`` give the domain. Images under ``$IMS-CC-FILEBASE$`` are extracted to ``media/``.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import unquote

from lxml import etree

from qbank.core.cloze import GAP_PLACEHOLDER, markers_for_placeholders
from qbank.core.model import Pool, gap_refs
from qbank.importers import register
from qbank.importers.base import (
    Draft,
    ImportContext,
    line_of,
    normalize_id,
    number,
    parse_or_report,
    plain,
    settle_gap_names,
    text_content,
    unique,
)
from qbank.importers.html2md import html_to_markdown
from qbank.importers.qti import is_zip, normalize_qti
from qbank.interchange.canvas import (
    DROPDOWNS_TYPE,
    FILEBASE,
    MEDIA_FOLDER,
    OBJECTIVE_FIELD,
    QTI12_RESOURCE_TYPE,
    QUESTION_TYPES,
    ROOT_SECTION,
    blank_of_response,
    choice_feedback_id,
)
from qbank.interchange.feedback import general_feedback_fields
from qbank.interchange.markdown import escape_markdown
from qbank.interchange.qti import (
    GENERAL_FEEDBACK_ID,
    gap_name,
    pool_name,
    question_id,
    section_domain,
)
from qbank.io.safe import UnsafeInput, ZipContents, read_zip

__all__ = ["CanvasImporter"]

_SUPPORTED = {*QUESTION_TYPES.values(), DROPDOWNS_TYPE}
#: Canvas types whose text holds ``[blank]`` gaps: cloze questions.
_BLANKS = {QUESTION_TYPES["cloze"], DROPDOWNS_TYPE}


class _Reader:
    """One file of QTI 1.2: text conversion with media, one item at a time."""

    def __init__(self, where: str, base: str, contents: ZipContents | None, ctx: ImportContext) -> None:
        self.where = where
        self.base = base
        self.contents = contents
        self.ctx = ctx

    def material(
        self,
        parent: etree._Element | None,
        draft: Draft,
        what: str,
        html_hook: Callable[[str], str] | None = None,
    ) -> str:
        """Markdown of the first ``material`` under ``parent`` (``html_hook`` rewrites its HTML first)."""
        if parent is None:
            return ""
        mat = parent if parent.tag == "material" else parent.find(".//material")
        if mat is None:
            return ""
        parts: list[str] = []
        for text_el in mat.iter("mattext", "matimage"):
            if text_el.tag == "matimage":
                draft.lost(f"{what}: matimage is not carried")
                continue
            text = text_el.text or ""
            if html_hook is not None:
                text = html_hook(text)
            if (text_el.get("texttype") or "text/plain").lower() == "text/html":
                text = self.images(text, draft)
                converted = html_to_markdown(text)
                self.ctx.note_lost(converted, draft, what)
                parts.append(converted.markdown)
            else:
                parts.append(escape_markdown(text.strip()))
        return "\n\n".join(p for p in parts if p)

    def images(self, html_text: str, draft: Draft) -> str:
        if "<img" not in html_text:
            return html_text

        def swap(match: re.Match[str]) -> str:
            src = match.group(2)
            stored = self.media(src)
            if stored is None:
                if not re.match(r"^[a-z]+://", src):
                    draft.lost(f"image {src} is not in the package")
                return match.group(0)
            return f"{match.group(1)}{stored}{match.group(3)}"

        return re.sub(r"""(<img\b[^>]*?\bsrc=["'])([^"']+)(["'])""", swap, html_text)

    def media(self, src: str) -> str | None:
        if self.contents is None:
            return None
        name = unquote(src)
        if name.startswith(FILEBASE):
            candidates = [posixpath.join(MEDIA_FOLDER, name[len(FILEBASE) :]), name[len(FILEBASE) :]]
        elif "://" in name or name.startswith("/"):
            return None
        else:
            candidates = [posixpath.normpath(posixpath.join(posixpath.dirname(self.base), name))]
        for candidate in candidates:
            data = self.contents.get(candidate)
            if data is not None:
                return self.ctx.add_media(candidate, data)
        return None


class CanvasImporter:
    """Canvas (and other) QTI 1.2 packages and files (``--from canvas``)."""

    name: ClassVar[str] = "canvas"
    description: ClassVar[str] = "Canvas Classic Quizzes / QTI 1.2 packages (zip) or questestinterop files"
    suffixes: ClassVar[tuple[str, ...]] = (".zip", ".xml", ".qti")

    def read(self, data: bytes, display: str, ctx: ImportContext) -> list[Draft]:
        """Drafts for the items of one package or QTI 1.2 file."""
        if not is_zip(data):
            return self._file(data, display, "", None, ctx)
        try:
            contents = read_zip(data)
        except UnsafeInput as exc:
            ctx.problem("QB912", exc.message, f"{display}!{exc.entry}" if exc.entry else display)
            return []
        files: list[str] = []
        manifest_raw = contents.get("imsmanifest.xml")
        if manifest_raw is not None:
            manifest = parse_or_report(manifest_raw, f"{display}!imsmanifest.xml", ctx)
            if manifest is None:
                return []
            normalize_qti(manifest)
            for res in manifest.iter("resource"):
                if res.get("type", "").startswith(QTI12_RESOURCE_TYPE):
                    files += [unquote(f.get("href", "")) for f in res.iter("file") if f.get("href")]
        else:
            files = sorted(n for n in contents.files if n.lower().endswith((".xml", ".qti")))
        drafts: list[Draft] = []
        for href in files:
            raw = contents.get(href)
            if raw is None:
                ctx.problem("QB001", f"the manifest lists {href}, which is not in the package", display)
                continue
            drafts += self._file(raw, f"{display}!{href}", href, contents, ctx)
        return drafts

    def _file(
        self, data: bytes, where: str, base: str, contents: ZipContents | None, ctx: ImportContext
    ) -> list[Draft]:
        root = parse_or_report(data, where, ctx)
        if root is None:
            return []
        normalize_qti(root)
        if root.tag != "questestinterop":
            if contents is None:
                ctx.problem(
                    "QB003",
                    f"not a QTI 1.2 file: the root element is <{root.tag}>",
                    where,
                    line_of(root),
                )
            return []
        reader = _Reader(where, base, contents, ctx)
        drafts: list[Draft] = []
        self._walk(root, reader, "", None, drafts)
        return drafts

    @staticmethod
    def _pool(section: etree._Element, ctx: ImportContext) -> str | None:
        """A question group (a section that draws ``selection_number`` items) that is not a
        domain's group becomes a pool: ``pick`` and ``points_per_item`` come along."""
        number = section.findtext("selection_ordering/selection/selection_number")
        title = section.get("title") or ""
        ident = section.get("ident") or ""
        if number is None or (section_domain(title) and not pool_name(ident)):
            return None
        name = pool_name(ident) or normalize_id(ident or title)
        try:
            pick = max(1, int(number.strip()))
            points_text = section.findtext("selection_ordering/selection/selection_extension/points_per_item")
            points = float(points_text) if points_text and float(points_text) > 0 else None
        except ValueError:
            return None
        if not name:
            return None
        ctx.pools[name] = Pool(pick=pick, points=points, title=title if title and title != name else None)
        return name

    def _walk(
        self,
        el: etree._Element,
        reader: _Reader,
        group: str,
        domain: str | None,
        drafts: list[Draft],
        pool: str | None = None,
    ) -> None:
        for child in el:
            if child.tag == "item":
                draft = self._item(child, reader, group, domain)
                if draft is not None:
                    if pool is not None:
                        draft.data["pool"] = pool
                    drafts.append(draft)
            elif child.tag in {"assessment", "section", "objectbank"}:
                title = child.get("title") or ""
                if child.tag == "objectbank":
                    title = next(
                        (
                            plain(f.findtext("fieldentry"))
                            for f in child.iter("qtimetadatafield")
                            if plain(f.findtext("fieldlabel")) == "bank_title"
                        ),
                        title,
                    )
                sub_domain = section_domain(title) if child.tag == "section" and title else None
                sub_group = title if title and child.get("ident") != ROOT_SECTION else group
                sub_pool = self._pool(child, reader.ctx) if child.tag == "section" else None
                self._walk(child, reader, sub_group, sub_domain or domain, drafts, sub_pool or pool)

    # ------------------------------------------------------------------------------------ items

    def _item(self, item: etree._Element, reader: _Reader, group: str, domain: str | None) -> Draft | None:
        ctx = reader.ctx
        line = line_of(item)
        meta = {
            plain(f.findtext("fieldlabel")): plain(f.findtext("fieldentry"))
            for f in item.iter("qtimetadatafield", "qti_metadatafield")
        }
        ident = item.get("ident", "")
        draft = Draft(
            {}, reader.where, line, source_id=question_id(ident, item.get("title")) or None, group=group
        )
        if domain:
            draft.data["domain"] = domain
        if meta.get(OBJECTIVE_FIELD):
            draft.data["objective"] = meta[OBJECTIVE_FIELD][:100]
        qtype = meta.get("question_type", "")
        if qtype and qtype not in _SUPPORTED:
            ctx.skip(f"not imported: Canvas question type {qtype!r} has no qbank type", reader.where, line)
            return None
        presentation = item.find("presentation")
        if presentation is None:
            ctx.skip("not imported: the item has no presentation", reader.where, line)
            return None
        stem_holder = etree.Element("x")
        for child in presentation:
            if child.tag in {"material", "flow", "flow_mat"}:
                stem_holder.append(copy.deepcopy(child))
        if qtype not in _BLANKS:
            draft.data["stem"] = "\n\n".join(
                t for t in (reader.material(m, draft, "stem") for m in stem_holder) if t
            )
        conditions = self._conditions(item)
        feedback = self._feedback_texts(item, reader, draft)
        lids = presentation.findall(".//response_lid")
        strs = presentation.findall(".//response_str")
        problem: str | None
        points = number(meta.get("points_possible") or meta.get("respondusapi_qpoints"))
        if qtype in _BLANKS:
            problem = self._cloze(stem_holder, lids, qtype, conditions, feedback, reader, draft, points)
        elif qtype == "matching_question" or (not qtype and len(lids) > 1):
            problem = self._matching(lids, conditions, reader, draft)
        elif lids:
            problem = self._choice(lids[0], qtype, conditions, feedback, reader, draft)
        elif strs:
            problem = self._text(strs[0], qtype, conditions, draft)
        else:
            problem = "the item has no response (response_lid or response_str)"
        if problem:
            ctx.skip(f"not imported: {problem}", reader.where, line)
            return None
        if qtype in _BLANKS:
            pass  # a cloze question is worth the sum of its gaps' points, set from the blanks
        elif points is not None and points > 0:
            draft.data["points"] = points
        elif points is not None:
            draft.lost(f"points {points:g} are not a positive number; points left at 1")
        self._general(feedback, conditions, draft)
        return draft

    @staticmethod
    def _conditions(item: etree._Element) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for cond in item.iter("respcondition"):
            var = cond.find("conditionvar")
            if var is None:
                continue
            positive: list[tuple[str, str]] = []
            for eq in var.iter("varequal"):
                negated = any(
                    a.tag == "not"
                    for a in eq.iterancestors()
                    if (a is not var and var in a.iterancestors()) or a.tag == "not"
                )
                if not negated:
                    positive.append((eq.get("respident", ""), (eq.text or "").strip()))
            score: float | None = None
            action = ""
            for setvar in cond.findall("setvar"):
                score = number(setvar.text)
                action = (setvar.get("action") or "Set").lower()
            out.append(
                {
                    "equals": positive,
                    "other": var.find("other") is not None,
                    "score": score,
                    "action": action,
                    "gte": [number(v.text) for v in var.iter("vargte")],
                    "lte": [number(v.text) for v in var.iter("varlte")],
                    "links": [d.get("linkrefid", "") for d in cond.findall("displayfeedback")],
                }
            )
        return out

    @staticmethod
    def _feedback_texts(item: etree._Element, reader: _Reader, draft: Draft) -> dict[str, str]:
        return {
            fb.get("ident", ""): reader.material(fb, draft, "feedback") for fb in item.findall("itemfeedback")
        }

    @staticmethod
    def _keys(conditions: list[dict[str, Any]], respident: str) -> list[str]:
        scored = [
            c for c in conditions if c["score"] is not None and any(r == respident for r, _ in c["equals"])
        ]
        best = max((c["score"] for c in scored), default=None)
        if best is not None and best > 0:
            chosen = [c for c in scored if c["score"] == best]
        else:
            chosen = [c for c in scored if c["action"] == "set"]
        keys: list[str] = []
        for cond in chosen:
            keys += [v for r, v in cond["equals"] if r == respident and v not in keys]
        return keys

    def _choice(
        self,
        lid: etree._Element,
        qtype: str,
        conditions: list[dict[str, Any]],
        feedback: dict[str, str],
        reader: _Reader,
        draft: Draft,
    ) -> str | None:
        labels = lid.findall(".//response_label")
        idents = [lab.get("ident", "") for lab in labels]
        texts = [reader.material(lab, draft, f"choice {i + 1}") for i, lab in enumerate(labels)]
        keys = self._keys(conditions, lid.get("ident", ""))
        if not keys:
            return "no answer is scored as correct"
        if [t.lower() for t in texts] == ["true", "false"] and qtype in {"", "true_false_question"}:
            draft.data.update(type="true_false", answer=idents[0] in keys)
            return None
        choices: list[dict[str, Any]] = [
            {"text": t, "correct": i in keys} for t, i in zip(texts, idents, strict=True)
        ]
        for index, ident in enumerate(idents):
            text = feedback.pop(choice_feedback_id(ident), "")
            if not text:
                linked = [
                    link
                    for c in conditions
                    if len(c["equals"]) == 1 and c["equals"][0][1] == ident
                    for link in c["links"]
                    if link in feedback and self._per_answer(link, conditions)
                ]
                text = "\n\n".join(feedback.pop(link) for link in linked if link in feedback)
            if text:
                choices[index]["feedback"] = text
        multiple = qtype == "multiple_answers_question" or (
            not qtype and (lid.get("rcardinality") or "").lower() == "multiple"
        )
        draft.data["choices"] = choices
        if (multiple and len(keys) > 1) or len(keys) > 1:
            draft.data["type"] = "multiple_response"
        elif multiple:
            draft.lost("a multiple-answer item with one key is imported as single_choice")
        return None

    def _cloze(
        self,
        stem_holder: etree._Element,
        lids: list[etree._Element],
        qtype: str,
        conditions: list[dict[str, Any]],
        feedback: dict[str, str],
        reader: _Reader,
        draft: Draft,
        points: float | None,
    ) -> str | None:
        """A fill-in-multiple-blanks or multiple-dropdowns item: ``[blank]`` in the text, a
        ``response_lid`` per blank (its labels: the accepted answers, or the drop-down's options)."""
        blanks = [blank_of_response(lid.get("ident", "")) for lid in lids]
        if not blanks:
            return "the item has no blanks (response_lid)"
        names = settle_gap_names(gap_name(b) for b in blanks)
        order = {b: i for i, b in enumerate(blanks)}
        at = re.compile(
            r"\[(" + "|".join(re.escape(b) for b in sorted(blanks, key=len, reverse=True)) + r")\]"
        )

        def placeholders(text: str) -> str:
            return at.sub(lambda m: GAP_PLACEHOLDER.format(index=order[m.group(1)]), text)

        stem = "\n\n".join(
            t for t in (reader.material(m, draft, "stem", placeholders) for m in stem_holder) if t
        )
        stem = markers_for_placeholders(stem, names)
        used = [ref.name for ref in gap_refs(stem)]
        missing = [b for b, n in zip(blanks, names, strict=True) if n not in used]
        if missing:
            return f"the text has no [{missing[0]}] for its blank"
        shares = [self._share(conditions, lid.get("ident", "")) for lid in lids]
        total = points if points is not None and points > 0 else float(len(lids))
        if None in shares or not sum(s for s in shares if s is not None):
            gap_points = [total / len(lids)] * len(lids)
        else:
            whole = sum(s for s in shares if s is not None)
            gap_points = [round(total * (s or 0.0) / whole, 9) for s in shares]
        gaps: dict[str, dict[str, Any]] = {}
        for lid, name, share_points in zip(lids, names, gap_points, strict=True):
            labels = lid.findall(".//response_label")
            idents = [lab.get("ident", "") for lab in labels]
            texts = [plain(text_content(lab)) for lab in labels]
            gap: dict[str, Any]
            if qtype == DROPDOWNS_TYPE:
                keys = self._keys(conditions, lid.get("ident", ""))
                options: list[dict[str, Any]] = []
                for ident, text in zip(idents, texts, strict=True):
                    option: dict[str, Any] = {"text": text, "correct": ident in keys[:1]}
                    comment = feedback.pop(choice_feedback_id(ident), "")
                    if comment:
                        option["feedback"] = comment
                    options.append(option)
                if len(keys) > 1:
                    draft.lost(f"blank {name!r}: {len(keys)} options are scored; only the first is the key")
                if not keys:
                    return f"no option of blank {name!r} is scored as correct"
                gap = {"options": options}
            else:
                accept = unique(t for t in texts if t)
                if not accept:
                    return f"blank {name!r} has no answer"
                for ident in idents:
                    if feedback.pop(choice_feedback_id(ident), ""):
                        draft.lost(f"blank {name!r}: feedback on an answer has no qbank field; not imported")
                gap = {"accept": accept}
            if share_points > 0:
                gap["points"] = share_points
            gaps[name] = gap
        draft.data.update(type="cloze", stem=stem, gaps=gaps)
        return None

    @staticmethod
    def _share(conditions: list[dict[str, Any]], respident: str) -> float | None:
        """The score a right answer to one blank adds (``None`` when no condition scores it)."""
        scores = [
            c["score"]
            for c in conditions
            if c["score"] is not None and c["score"] > 0 and any(r == respident for r, _ in c["equals"])
        ]
        return max(scores) if scores else None

    @staticmethod
    def _per_answer(link: str, conditions: list[dict[str, Any]]) -> bool:
        if re.search(r"general|_all$|wrong|incorrect|_ic$|correct|_c$", link, re.IGNORECASE):
            return False
        return sum(link in c["links"] for c in conditions) == 1

    def _matching(
        self, lids: list[etree._Element], conditions: list[dict[str, Any]], reader: _Reader, draft: Draft
    ) -> str | None:
        pairs: list[dict[str, str]] = []
        targets: dict[str, str] = {}
        used: set[str] = set()
        for index, lid in enumerate(lids):
            for lab in lid.findall(".//response_label"):
                targets.setdefault(lab.get("ident", ""), plain(text_content(lab)))
            prompt = reader.material(lid, draft, f"prompt {index + 1}")
            keys = self._keys(conditions, lid.get("ident", ""))
            if not keys or keys[0] not in targets:
                draft.lost(f"prompt {index + 1} has no correct match; not carried")
                continue
            pairs.append({"prompt": prompt, "match": targets[keys[0]]})
            used.add(keys[0])
        draft.data.update(type="matching", pairs=pairs)
        distractors = [t for k, t in targets.items() if k not in used and t]
        if distractors:
            draft.data["distractors"] = distractors
        return None if len(pairs) >= 2 else f"a matching item needs at least 2 pairs, found {len(pairs)}"

    @staticmethod
    def _text(resp: etree._Element, qtype: str, conditions: list[dict[str, Any]], draft: Draft) -> str | None:
        ident = resp.get("ident", "")
        fib = resp.find(".//render_fib")
        numeric = qtype == "numerical_question" or (
            not qtype and fib is not None and (fib.get("fibtype") or "") in {"Decimal", "Integer"}
        )
        scored = [c for c in conditions if c["score"] is not None and c["score"] > 0]
        if qtype == "essay_question" or (not qtype and not scored):
            draft.data["type"] = "essay"
            return None
        if numeric:
            for cond in scored:
                exact = [number(v) for r, v in cond["equals"] if r == ident]
                lows = [v for v in cond["gte"] if v is not None]
                highs = [v for v in cond["lte"] if v is not None]
                if exact and exact[0] is not None:
                    answer = exact[0]
                    tolerance = max(answer - lows[0], highs[0] - answer) if lows and highs else 0.0
                elif lows and highs:
                    answer, tolerance = (lows[0] + highs[0]) / 2, (highs[0] - lows[0]) / 2
                else:
                    continue
                draft.data.update(type="numerical", answer=answer, tolerance=abs(tolerance))
                if len(scored) > 1:
                    draft.lost(
                        f"{len(scored) - 1} further scored answers are not carried (qbank has one answer)"
                    )
                return None
            return "no numeric answer is scored"
        accept: list[str] = []
        for cond in scored:
            accept += [v for r, v in cond["equals"] if r == ident and v and v not in accept]
        if not accept:
            return "no accepted answer"
        draft.data.update(type="short_answer", accept=accept)
        return None

    @staticmethod
    def _general(feedback: dict[str, str], conditions: list[dict[str, Any]], draft: Draft) -> None:
        for ident, text in feedback.items():
            if not text:
                continue
            general = ident == GENERAL_FEEDBACK_ID or re.search(
                r"general_(?!incorrect)|_all$|solution", ident, re.IGNORECASE
            )
            if general and "explanation" not in draft.data:
                draft.data.update(general_feedback_fields(text))
            else:
                draft.lost(
                    f"feedback {ident!r} (shown on right, wrong or other answers) has no qbank field; not imported"
                )


register(CanvasImporter())
