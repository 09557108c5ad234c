"""IMS QTI 2.1 / 2.2 / 3.0 (``--from qti``): content packages (zip) or single item files.

A package is read through its ``imsmanifest.xml``: item resources (``imsqti_item_xmlv2p1``,
``..v2p2``, ``..v3p0``) become questions, test sections give the group and, when titled
``Domain <id>: ...`` (as ``--to qti21``/``qti30`` write them), the domain; packaged images are
extracted to ``media/``. QTI 3.0 names (``qti-choice-interaction``, ``response-identifier``) are
read as their 2.1 equivalents, so both versions take the same path.

Interactions: choice (single, multiple, true/false), textEntry (string: short answer; float or
integer: numerical with its ``equal`` tolerance), match, order, extendedText (essay). Text entries
and inline choices in the text (several, or inline choices, or one text entry whose response is
``GAP_<name>``) make a cloze question: each a gap where it stands, typed (accepted answers from the
mapping, ``stringMatch`` and correct response), numeric (``equal`` tolerance) or a drop-down, worth
what its condition adds to ``SCORE``. Items with another interaction, or a mix, are skipped (QB910). Ids: the exporters' ``Q_`` prefix
is removed again; foreign identifiers are kept (made valid).
"""

from __future__ import annotations

import copy
import posixpath
import re
from typing import Any, ClassVar
from urllib.parse import unquote

from lxml import etree

from qbank.core.cloze import GAP_PLACEHOLDER, markers_for_placeholders
from qbank.core.model import Pool
from qbank.importers import register
from qbank.importers.base import (
    Draft,
    ImportContext,
    line_of,
    local_name,
    normalize_id,
    parse_or_report,
    plain,
    settle_gap_names,
    text_content,
    unique,
)
from qbank.importers.html2md import element_to_markdown
from qbank.interchange.feedback import general_feedback_fields
from qbank.interchange.qti import (
    GAP_PREFIX,
    ITEM_RESOURCE_TYPE,
    MAXSCORE,
    OBJECTIVE_PURPOSE,
    SCORE,
    TEST_RESOURCE_TYPES,
    gap_feedback_identifier,
    gap_name,
    pool_name,
    qti2_name,
    question_id,
    section_domain,
    taxa_fields,
)
from qbank.io.safe import UnsafeInput, ZipContents, read_zip

__all__ = ["QtiImporter", "is_zip", "normalize_qti"]

_INTERACTIONS = {
    "choiceInteraction", "textEntryInteraction", "matchInteraction", "orderInteraction",
    "extendedTextInteraction", "inlineChoiceInteraction", "gapMatchInteraction", "hotspotInteraction",
    "hottextInteraction", "associateInteraction", "sliderInteraction", "uploadInteraction",
    "graphicOrderInteraction", "graphicAssociateInteraction", "graphicGapMatchInteraction",
    "selectPointInteraction", "positionObjectInteraction", "drawingInteraction", "mediaInteraction",
    "customInteraction", "portableCustomInteraction", "endAttemptInteraction",
}  # fmt: skip
_CORRECT_FB = re.compile(r"wrong|incorrect|_IC$|correct|_C$", re.IGNORECASE)


def is_zip(data: bytes) -> bool:
    """Whether ``data`` starts like a zip archive."""
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def normalize_qti(root: etree._Element) -> etree._Element:
    """Drop namespaces and spell QTI 3.0 names as QTI 2.1 ones (in place); returns ``root``."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = local_name(el)
        keys = [str(k) for k in el.attrib]
        if name.startswith("qti-"):
            el.tag = qti2_name(name, element=True)
            for key in keys:
                if "-" in key and not key.startswith("{"):
                    el.set(qti2_name(key, element=False), str(el.attrib.pop(key)))
                elif key.startswith("{"):
                    el.set(key.rsplit("}", 1)[-1], str(el.attrib.pop(key)))
        else:
            el.tag = name
            for key in keys:
                if key.startswith("{"):
                    el.set(key.rsplit("}", 1)[-1], str(el.attrib.pop(key)))
    etree.cleanup_namespaces(root)
    return root


def _objective_place(resource: etree._Element) -> tuple[str | None, str | None]:
    """Domain and objective of a (normalised) manifest resource: the taxon path of its LOM
    classification whose purpose is ``educational objective``."""
    for classification in resource.iterfind("metadata/lom/classification"):
        if plain(classification.findtext("purpose/value")).lower() != OBJECTIVE_PURPOSE:
            continue
        for path in classification.iterfind("taxonPath"):
            ids = [plain(taxon.findtext("id")) for taxon in path.iterfind("taxon")]
            place = taxa_fields(ids)
            if place != (None, None):
                return place
    return None, None


def _values(el: etree._Element | None) -> list[str]:
    if el is None:
        return []
    return [(v.text or "").strip() for v in el.iter("value")]


class _Package:
    """Where an item's files come from: a zip, or nothing (a single item file)."""

    def __init__(self, contents: ZipContents | None, display: str) -> None:
        self.contents = contents
        self.display = display

    def media(self, img_src: str, base: str, ctx: ImportContext) -> str | None:
        if self.contents is None or "://" in img_src or img_src.startswith(("data:", "/")):
            return None
        path = posixpath.normpath(
            posixpath.join(posixpath.dirname(base), unquote(img_src.split("#")[0].split("?")[0]))
        )
        data = self.contents.get(path)
        if data is None:
            return None
        return ctx.add_media(path, data)


class QtiImporter:
    """IMS QTI 2.1, 2.2 and 3.0 packages and item files (``--from qti``)."""

    name: ClassVar[str] = "qti"
    description: ClassVar[str] = "IMS QTI 2.1/2.2/3.0 content packages (zip) or assessmentItem files"
    suffixes: ClassVar[tuple[str, ...]] = (".zip", ".xml")

    def read(self, data: bytes, display: str, ctx: ImportContext) -> list[Draft]:
        """Drafts for the items of one package or item file."""
        if not is_zip(data):
            root = parse_or_report(data, display, ctx)
            if root is None:
                return []
            normalize_qti(root)
            if root.tag != "assessmentItem":
                ctx.problem(
                    "QB003",
                    f"not a QTI item: the root element is <{root.tag}>",
                    display,
                    line_of(root),
                )
                return []
            draft = self._item(root, display, "", _Package(None, display), ctx, {})
            return [draft] if draft else []
        try:
            contents = read_zip(data)
        except UnsafeInput as exc:
            where = f"{display}!{exc.entry}" if exc.entry else display
            ctx.problem("QB912", exc.message, where)
            return []
        package = _Package(contents, display)
        pooled: dict[str, str] = {}
        places: dict[str, tuple[str | None, str | None]] = {}
        items, sections = self._manifest(contents, display, ctx, pooled, places)
        drafts: list[Draft] = []
        for href in items:
            where = f"{display}!{href}"
            raw = contents.get(href)
            if raw is None:
                ctx.skip(f"not imported: the manifest lists {href}, which is not in the package", display)
                continue
            root = parse_or_report(raw, where, ctx)
            if root is None:
                continue
            normalize_qti(root)
            if root.tag != "assessmentItem":
                ctx.skip(f"not imported: {href} is not an assessment item (<{root.tag}>)", where)
                continue
            draft = self._item(root, where, href, package, ctx, sections, pooled)
            if draft:
                domain, objective = places.get(href, (None, None))
                if domain:
                    draft.data["domain"] = domain
                if objective:
                    draft.data["objective"] = objective
                drafts.append(draft)
        return drafts

    # ------------------------------------------------------------------------------------ package

    def _manifest(
        self,
        contents: ZipContents,
        display: str,
        ctx: ImportContext,
        pooled: dict[str, str],
        places: dict[str, tuple[str | None, str | None]],
    ) -> tuple[list[str], dict[str, str]]:
        """Item files in manifest order, and identifier -> section title from the tests; pools
        found in the tests go to ``ctx.pools`` and ``pooled`` (item identifier -> pool name), the
        domain and objective of an item resource's LOM classification to ``places`` (by file)."""
        raw = contents.get("imsmanifest.xml")
        items: list[str] = []
        tests: list[str] = []
        if raw is not None:
            manifest = parse_or_report(raw, f"{display}!imsmanifest.xml", ctx)
            if manifest is None:
                return [], {}
            normalize_qti(manifest)
            for res in manifest.iter("resource"):
                rtype = res.get("type", "")
                href = res.get("href") or next((f.get("href", "") for f in res.iter("file")), "")
                if not href:
                    continue
                if rtype.startswith(ITEM_RESOURCE_TYPE):
                    items.append(unquote(href))
                    place = _objective_place(res)
                    if place != (None, None):
                        places[unquote(href)] = place
                elif rtype.startswith(TEST_RESOURCE_TYPES):
                    tests.append(unquote(href))
        else:
            items = sorted(name for name in contents.files if name.lower().endswith(".xml"))
        sections: dict[str, str] = {}
        for href in tests:
            raw_test = contents.get(href)
            test = parse_or_report(raw_test, f"{display}!{href}", ctx) if raw_test is not None else None
            if test is None:
                continue
            normalize_qti(test)
            for section in test.iter("assessmentSection"):
                for ref in section.iter("assessmentItemRef"):
                    sections.setdefault(
                        ref.get("identifier", ""), section.get("title") or section.get("identifier") or ""
                    )
                self._pool(section, ctx, pooled)
        return items, sections

    @staticmethod
    def _pool(section: etree._Element, ctx: ImportContext, pooled: dict[str, str]) -> None:
        """A section that draws some of its items (``selection``) and is not a domain section is a
        pool: its items get ``pool`` and the pool picks ``select``."""
        selection = section.find("selection")
        title = section.get("title") or ""
        identifier = section.get("identifier") or ""
        if selection is None or (section_domain(title) and not pool_name(identifier)):
            return
        if section.find("assessmentSection") is not None:
            return  # a draw over sub-sections has no qbank form
        name = pool_name(identifier) or normalize_id(identifier or title)
        refs = [ref.get("identifier", "") for ref in section.findall("assessmentItemRef")]
        try:
            pick = max(1, int(selection.get("select", "1")))
        except ValueError:
            return
        if not name or not refs:
            return
        ctx.pools[name] = Pool(pick=pick, title=title if title and title != name else None)
        for ref in refs:
            pooled[ref] = name

    # ------------------------------------------------------------------------------------ items

    def _item(
        self,
        item: etree._Element,
        where: str,
        href: str,
        package: _Package,
        ctx: ImportContext,
        sections: dict[str, str],
        pooled: dict[str, str] | None = None,
    ) -> Draft | None:
        line = line_of(item)
        identifier = item.get("identifier", "")
        section = sections.get(identifier, "")
        draft = Draft(
            {}, where, line, source_id=question_id(identifier, item.get("title")) or None, group=section
        )
        domain = section_domain(section) if section else None
        if domain:
            draft.data["domain"] = domain
        if pooled and identifier in pooled:
            draft.data["pool"] = pooled[identifier]
        body = item.find("itemBody")
        if body is None:
            ctx.skip("not imported: the item has no itemBody", where, line)
            return None
        interactions = [el for el in body.iter() if el.tag in _INTERACTIONS]
        for img in item.iter("img"):
            src = img.get("src", "")
            stored = package.media(src, href, ctx)
            if stored is not None:
                img.set("src", stored)
            elif src and package.contents is not None and "://" not in src:
                draft.lost(f"image {src} is not in the package")
        declarations = {d.get("identifier", ""): d for d in item.iter("responseDeclaration")}
        if _is_cloze(interactions):
            problem = self._cloze(item, body, interactions, declarations, draft, ctx)
            if problem:
                ctx.skip(f"not imported: {problem}", where, line)
                return None
            gaps = {el.get("responseIdentifier", "") for el in interactions}
            taken = {c.get("identifier", "") for c in item.iter("inlineChoice")}
            self._feedback(item, draft, ctx, taken | {gap_feedback_identifier(g) for g in gaps})
            return draft
        if len(interactions) != 1:
            what = "no interaction" if not interactions else f"{len(interactions)} interactions"
            ctx.skip(
                f"not imported: the item has {what} (qbank questions have exactly one, "
                "or text entries and inline choices in the text)",
                where,
                line,
            )
            return None
        interaction = interactions[0]
        declaration = declarations.get(interaction.get("responseIdentifier", ""))
        draft.data["stem"] = self._stem(body, interaction, draft, ctx)
        handler = getattr(self, f"_{interaction.tag}", None)
        problem = (
            handler(interaction, declaration, item, draft, ctx)
            if handler
            else f"{interaction.tag} has no qbank type"
        )
        if problem:
            ctx.skip(f"not imported: {problem}", where, line)
            return None
        self._points(item, draft)
        self._feedback(item, draft, ctx)
        return draft

    # ------------------------------------------------------------------------------------ cloze

    def _cloze(
        self,
        item: etree._Element,
        body: etree._Element,
        interactions: list[etree._Element],
        declarations: dict[str, etree._Element],
        draft: Draft,
        ctx: ImportContext,
    ) -> str | None:
        """Text entries and inline choices in the text: a cloze question, one gap per interaction."""
        idents = [el.get("responseIdentifier", "") for el in interactions]
        names = settle_gap_names(gap_name(i) for i in idents)
        holder = copy.deepcopy(body)
        copies = [el for el in holder.iter() if el.tag in _INTERACTIONS]
        for index, el in enumerate(copies):
            _replace_with_text(el, GAP_PLACEHOLDER.format(index=index))
        converted = element_to_markdown(holder)
        ctx.note_lost(converted, draft, "stem")
        points = _gap_points(item, idents)
        gaps: dict[str, dict[str, Any]] = {}
        shuffles: set[bool] = set()
        feedback = {m.get("identifier", ""): m for m in item.iter("modalFeedback")}
        for el, ident, name, value in zip(interactions, idents, names, points, strict=True):
            decl = declarations.get(ident)
            if decl is None:
                return f"gap {ident} has no response declaration"
            correct = _values(decl.find("correctResponse"))
            gap: dict[str, Any]
            if el.tag == "inlineChoiceInteraction":
                options: list[dict[str, Any]] = []
                for choice in el.iter("inlineChoice"):
                    option: dict[str, Any] = {"text": plain(text_content(choice))}
                    if choice.get("identifier", "") in correct[:1]:
                        option["correct"] = True
                    modal = feedback.pop(choice.get("identifier", ""), None)
                    if modal is not None:
                        text = self._feedback_content(modal, draft, ctx, f"gap {name} option feedback")
                        if text:
                            option["feedback"] = text
                    options.append(option)
                if not any(o.get("correct") for o in options):
                    return f"gap {ident} declares no correct option"
                shuffles.add((el.get("shuffle") or "false").lower() == "true")
                gap = {"options": options}
            elif decl.get("baseType") in {"float", "integer"}:
                try:
                    gap = {"answer": float(correct[0])}
                except (IndexError, ValueError):
                    return f"gap {ident} has no numeric correct response"
                tolerance = _tolerance(item, ident)
                if tolerance:
                    gap["tolerance"] = tolerance
            else:
                accept, case_sensitive = _accepted(item, decl, ident, correct, draft)
                if not accept:
                    return f"gap {ident} has no accepted answer"
                gap = {"accept": accept}
                if case_sensitive:
                    gap["case_sensitive"] = True
            modal = feedback.pop(gap_feedback_identifier(ident), None)
            if modal is not None:
                text = self._feedback_content(modal, draft, ctx, f"gap {name} feedback")
                if text:
                    gap["feedback"] = text
            if value is not None and value != 1:
                gap["points"] = value
            gaps[name] = gap
        if len(shuffles) > 1:
            draft.lost("some inline choices are shuffled and some are not: every drop-down is shuffled")
        if shuffles:
            draft.data["shuffle"] = any(shuffles)
        draft.data.update(type="cloze", stem=markers_for_placeholders(converted.markdown, names), gaps=gaps)
        return None

    @staticmethod
    def _stem(body: etree._Element, interaction: etree._Element, draft: Draft, ctx: ImportContext) -> str:
        holder = copy.deepcopy(body)
        target = next(el for el in holder.iter() if el.tag == interaction.tag)
        parent = target.getparent()
        assert parent is not None
        prompt = target.find("prompt")
        index = parent.index(target)
        tail = target.tail
        parent.remove(target)
        if prompt is not None:
            box = etree.Element("div")
            box.text = prompt.text
            for child in list(prompt):
                box.append(child)
            parent.insert(index, box)
            box.tail = tail
        elif tail:
            if index > 0:
                parent[index - 1].tail = (parent[index - 1].tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        converted = element_to_markdown(holder)
        ctx.note_lost(converted, draft, "stem")
        return converted.markdown

    @staticmethod
    def _content(el: etree._Element, draft: Draft, ctx: ImportContext, what: str) -> str:
        converted = element_to_markdown(el)
        ctx.note_lost(converted, draft, what)
        return converted.markdown

    def _choiceInteraction(
        self,
        inter: etree._Element,
        decl: etree._Element | None,
        item: etree._Element,
        draft: Draft,
        ctx: ImportContext,
    ) -> str | None:
        correct = set(_values(decl.find("correctResponse") if decl is not None else None))
        choices: list[dict[str, Any]] = []
        idents: list[str] = []
        for index, choice in enumerate(inter.iter("simpleChoice")):
            ident = choice.get("identifier", "")
            idents.append(ident)
            choices.append(
                {
                    "text": self._content(choice, draft, ctx, f"choice {index + 1}"),
                    "correct": ident in correct,
                }
            )
        if not correct:
            return "the item declares no correct response"
        texts = [c["text"].strip().lower() for c in choices]
        data = draft.data
        data["shuffle"] = (inter.get("shuffle") or "false").lower() == "true"
        cardinality = decl.get("cardinality", "single") if decl is not None else "single"
        if texts == ["true", "false"] and cardinality == "single":
            data.update(type="true_false", answer=idents[0] in correct)
            del data["shuffle"]
            return None
        keys = sum(c["correct"] for c in choices)
        if (cardinality == "multiple" and keys > 1) or keys > 1:
            data["type"] = "multiple_response"
        elif cardinality == "multiple":
            draft.lost("a multiple-cardinality item with one correct choice is imported as single_choice")
        data["choices"] = choices
        self._choice_feedback(item, idents, draft, ctx)
        return None

    def _choice_feedback(
        self, item: etree._Element, idents: list[str], draft: Draft, ctx: ImportContext
    ) -> None:
        for modal in item.iter("modalFeedback"):
            ident = modal.get("identifier", "")
            if ident in idents:
                content = self._feedback_content(
                    modal, draft, ctx, f"choice {idents.index(ident) + 1} feedback"
                )
                if content:
                    draft.data["choices"][idents.index(ident)]["feedback"] = content

    def _feedback_content(self, modal: etree._Element, draft: Draft, ctx: ImportContext, what: str) -> str:
        body = modal.find("contentBody")
        return self._content(body if body is not None else modal, draft, ctx, what)

    def _feedback(
        self, item: etree._Element, draft: Draft, ctx: ImportContext, taken: set[str] | None = None
    ) -> None:
        """The general feedback; ``taken`` are feedback identifiers already read as a gap's or option's."""
        choice_ids = {c.get("identifier", "") for c in item.iter("simpleChoice")}
        taken = taken or set()
        for modal in item.iter("modalFeedback"):
            ident = modal.get("identifier", "")
            if (ident in choice_ids and "choices" in draft.data) or ident in taken:
                continue
            content = self._feedback_content(modal, draft, ctx, "feedback")
            if not content:
                continue
            if re.search(
                r"general|solution|_all|explanation", ident, re.IGNORECASE
            ) or not _CORRECT_FB.search(ident):
                if "explanation" in draft.data:
                    draft.lost(
                        f"further feedback {ident!r} is not carried (the explanation is taken from the first)"
                    )
                    continue
                draft.data.update(general_feedback_fields(content))
            else:
                draft.lost(
                    f"feedback {ident!r} shown on a right or wrong answer has no qbank field; not imported"
                )

    @staticmethod
    def _points(item: etree._Element, draft: Draft) -> None:
        points: float | None = None
        for outcome in item.iter("outcomeDeclaration"):
            ident = outcome.get("identifier")
            try:
                if ident == SCORE and outcome.get("normalMaximum"):
                    points = float(outcome.get("normalMaximum", ""))
                elif ident == MAXSCORE and points is None and _values(outcome.find("defaultValue")):
                    points = float(_values(outcome.find("defaultValue"))[0])
            except ValueError:
                continue
        if points is not None and points > 0:
            draft.data["points"] = points
        elif points is not None:
            draft.lost(f"maximum score {points:g} is not a positive number; points left at 1")

    def _textEntryInteraction(
        self,
        inter: etree._Element,
        decl: etree._Element | None,
        item: etree._Element,
        draft: Draft,
        ctx: ImportContext,
    ) -> str | None:
        if decl is None:
            return "the text entry has no response declaration"
        base = decl.get("baseType", "string")
        correct = _values(decl.find("correctResponse"))
        if base in {"float", "integer"}:
            try:
                answer = float(correct[0])
            except (IndexError, ValueError):
                return "the numeric item has no numeric correct response"
            tolerance = 0.0
            for equal in item.iter("equal"):
                if equal.get("toleranceMode") == "absolute" and equal.get("tolerance"):
                    try:
                        tolerance = abs(float(equal.get("tolerance", "0").split()[0]))
                    except ValueError:
                        draft.lost("the tolerance is not a number; tolerance left at 0")
            draft.data.update(type="numerical", answer=answer, tolerance=tolerance)
            return None
        accept: list[str] = []
        case_sensitive: bool | None = None
        for entry in decl.iter("mapEntry"):
            try:
                mapped = float(entry.get("mappedValue", "0"))
            except ValueError:
                mapped = 0.0
            key = entry.get("mapKey", "")
            if mapped <= 0:
                draft.lost(f"answer {key!r} scoring {mapped:g} is not carried")
                continue
            if key and key not in accept:
                accept.append(key)
            flag = (entry.get("caseSensitive") or "false").lower() == "true"
            case_sensitive = flag if case_sensitive is None else case_sensitive or flag
        for value in correct:
            if value and value not in accept:
                accept.append(value)
        if not accept:
            return "the text entry has no accepted answer"
        draft.data.update(type="short_answer", accept=accept)
        if case_sensitive:
            draft.data["case_sensitive"] = True
        return None

    def _matchInteraction(
        self,
        inter: etree._Element,
        decl: etree._Element | None,
        item: etree._Element,
        draft: Draft,
        ctx: ImportContext,
    ) -> str | None:
        sets = inter.findall("simpleMatchSet")
        if len(sets) != 2:
            return "a match interaction needs two match sets"
        sources = {c.get("identifier", ""): c for c in sets[0].iter("simpleAssociableChoice")}
        targets = {c.get("identifier", ""): c for c in sets[1].iter("simpleAssociableChoice")}
        target_text = {k: plain(text_content(v)) for k, v in targets.items()}
        pairs: list[dict[str, str]] = []
        used: set[str] = set()
        for value in _values(decl.find("correctResponse") if decl is not None else None):
            parts = value.split()
            if len(parts) != 2 or parts[0] not in sources or parts[1] not in targets:
                continue
            prompt = self._content(sources[parts[0]], draft, ctx, f"prompt {len(pairs) + 1}")
            pairs.append({"prompt": prompt, "match": target_text[parts[1]]})
            used.add(parts[1])
        unmatched = [
            k
            for k in sources
            if not any(
                p.startswith(k + " ")
                for p in _values(decl.find("correctResponse") if decl is not None else None)
            )
        ]
        if unmatched:
            draft.lost(f"prompts without a correct match ({', '.join(unmatched)}) are not carried")
        distractors = [target_text[k] for k in targets if k not in used and target_text[k]]
        draft.data.update(
            type="matching", pairs=pairs, shuffle=(inter.get("shuffle") or "false").lower() == "true"
        )
        if distractors:
            draft.data["distractors"] = distractors
        return (
            None if len(pairs) >= 2 else f"a matching item needs at least 2 correct pairs, found {len(pairs)}"
        )

    def _orderInteraction(
        self,
        inter: etree._Element,
        decl: etree._Element | None,
        item: etree._Element,
        draft: Draft,
        ctx: ImportContext,
    ) -> str | None:
        texts = {c.get("identifier", ""): plain(text_content(c)) for c in inter.iter("simpleChoice")}
        order = [
            texts[v]
            for v in _values(decl.find("correctResponse") if decl is not None else None)
            if v in texts
        ]
        if len(order) != len(texts):
            return "the correct order does not list every item"
        draft.data.update(type="ordering", order=order)
        return None

    def _extendedTextInteraction(
        self,
        inter: etree._Element,
        decl: etree._Element | None,
        item: etree._Element,
        draft: Draft,
        ctx: ImportContext,
    ) -> str | None:
        draft.data["type"] = "essay"
        return None


def _is_cloze(interactions: list[etree._Element]) -> bool:
    """Text entries and inline choices only, and not one lone text entry (a short answer or a number,
    unless its response is a gap's, ``GAP_<name>``)."""
    if not interactions or any(
        el.tag not in {"textEntryInteraction", "inlineChoiceInteraction"} for el in interactions
    ):
        return False
    if len(interactions) > 1 or interactions[0].tag == "inlineChoiceInteraction":
        return True
    return interactions[0].get("responseIdentifier", "").startswith(GAP_PREFIX)


def _replace_with_text(el: etree._Element, text: str) -> None:
    """Put ``text`` where ``el`` is and remove ``el`` (its tail is kept)."""
    parent = el.getparent()
    assert parent is not None
    addition = text + (el.tail or "")
    previous = el.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + addition
    else:
        parent.text = (parent.text or "") + addition
    parent.remove(el)


def _uses(el: etree._Element, ident: str) -> bool:
    """Whether an expression reads the response ``ident``."""
    return any(v.get("identifier") == ident for v in el.iter("variable", "correct", "isNull"))


def _gap_points(item: etree._Element, idents: list[str]) -> list[float | None]:
    """What each gap adds to ``SCORE`` when right: the ``baseValue`` summed into SCORE inside a
    condition on that gap's response (``None`` when the item says it another way)."""
    found: dict[str, float] = {}
    for setter in item.iter("setOutcomeValue"):
        if setter.get("identifier") != SCORE:
            continue
        values = [b for b in setter.iter("baseValue") if b.get("baseType") in {"float", "integer"}]
        if setter.find("sum") is None or len(values) != 1:
            continue
        conditions = [a[0] for a in setter.iterancestors("responseIf", "responseElseIf") if len(a)]
        owners = [i for i in idents if any(_uses(c, i) for c in conditions)]
        if len(owners) == 1:
            try:
                found.setdefault(owners[0], float(values[0].text or ""))
            except ValueError:
                continue
    return [found.get(i) for i in idents]


def _tolerance(item: etree._Element, ident: str) -> float:
    """The absolute tolerance of an ``equal`` that compares the response ``ident``."""
    for equal in item.iter("equal"):
        if equal.get("toleranceMode") == "absolute" and _uses(equal, ident):
            try:
                return abs(float((equal.get("tolerance") or "0").split()[0]))
            except ValueError:
                return 0.0
    return 0.0


def _accepted(
    item: etree._Element, decl: etree._Element, ident: str, correct: list[str], draft: Draft
) -> tuple[list[str], bool]:
    """Accepted answers of a text gap (mapped to points, compared in a ``stringMatch``, or the correct
    response) and whether any comparison is case-sensitive."""
    accept: list[str] = []
    case_sensitive = False
    for entry in decl.iter("mapEntry"):
        try:
            mapped = float(entry.get("mappedValue", "0"))
        except ValueError:
            mapped = 0.0
        if mapped > 0 and entry.get("mapKey"):
            accept.append(entry.get("mapKey", ""))
            case_sensitive = case_sensitive or (entry.get("caseSensitive") or "").lower() == "true"
    for match in item.iter("stringMatch"):
        if _uses(match, ident):
            case_sensitive = case_sensitive or (match.get("caseSensitive") or "").lower() == "true"
            accept += [(b.text or "") for b in match.iter("baseValue") if b.get("baseType") == "string"]
    accept += correct
    return [a for a in unique(accept) if a], case_sensitive


register(QtiImporter())
