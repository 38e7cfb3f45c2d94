"""Linting a template body: placeholders first, then the reply linter on a sample rendering.

Spans of findings point into the template body, so an editor can underline them.
"""

from __future__ import annotations

from dataclasses import replace

from ozondesk.domain.lint import Finding, LintContext, Linter, default_linter
from ozondesk.domain.templates import SAMPLE_NOW, check_body, render_mapped, sample_values
from ozondesk.i18n import _


def lint_template_body(
    body: str, linter: Linter | None = None, context: LintContext | None = None,
    language: str = "ru",
) -> list[Finding]:
    """Error findings for bad placeholders; otherwise the linter's findings on the filled text.

    The reply linter knows Russian buyer service only: an English template (an escalation
    e-mail to Ozon's China support) gets the placeholder check alone, since Cyrillic-script,
    promise and tone rules would flag every English sentence.
    """
    problems = check_body(body)
    if problems:
        return [
            Finding(
                rule="template.placeholder",
                category="placeholder",
                severity="error",
                start=p.start,
                end=p.end,
                text=p.text,
                message=p.reason,
                suggestion=_("use one of the documented placeholders, e.g. {{deadline_msk}}"),
            )
            for p in problems
        ]
    if language != "ru":
        return []
    rendered = render_mapped(body, sample_values(), now=SAMPLE_NOW)
    findings = []
    for f in (linter or default_linter()).lint(rendered.text, context):
        start, end = rendered.body_span(f.start, f.end)
        findings.append(replace(f, start=start, end=end, text=body[start:end]))
    return findings
