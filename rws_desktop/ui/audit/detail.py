"""One audit entry in full, as HTML for the panel beside the log."""
from __future__ import annotations

from html import escape

from ...core.audit.describe import AuditEntryDetail, CorrectionDetail


def entry_html(detail: AuditEntryDetail) -> str:
    row = detail.row
    seal = ("<span style='color:#1e8e3e'>this entry's seal is intact</span>" if detail.seal_intact
            else "<b style='color:#c5221f'>this entry's seal does not match its content</b>")
    parts = [f"<h3>#{row.seq} {escape(row.kind_label)}</h3>",
             f"<p>{escape(row.at.strftime('%d %b %Y %H:%M:%S') if row.at else row.at_utc)} by "
             f"<b>{escape(row.user or 'unknown')}</b>; {seal}.</p>"]
    if detail.checked_at is not None:
        written = row.at.strftime('%d %b %Y %H:%M:%S') if row.at else row.at_utc
        parts.append(f"<p>Photo checked {escape(detail.checked_at.strftime('%d %b %Y %H:%M:%S'))}. This entry was "
                     f"written {escape(written)}, when the result was recorded (the export); corrections made by hand "
                     "in between are logged as entries of their own.</p>")
    if detail.reason:
        parts.append(f"<p>{escape(row.decision.capitalize())}: {escape(detail.reason)}</p>")
    if detail.faces:
        clip = any(face.frames for face in detail.faces)  # a clip's faces are followed over frames
        parts.append("<h4>Faces</h4><table cellspacing=0 cellpadding=3 border=1>"
                     "<tr><th>Face</th><th>Person</th><th>Action</th><th>Consent</th><th>Distance</th>"
                     + ("<th>Frames</th>" if clip else "") + "<th>Corrections</th></tr>")
        for face in detail.faces:
            person = face.person.label() if face.person else "not identified"
            distance = f"{face.distance:.2f}" if face.distance is not None else ""
            corrections = "<br>".join(_correction(c) for c in face.corrections)
            parts.append(f"<tr><td>{face.number}</td><td>{escape(person)}</td><td>{escape(face.action)}</td>"
                         f"<td>{escape(face.consent)}</td><td>{distance}</td>"
                         + (f"<td>{escape(face.frames)}</td>" if clip else "") + f"<td>{corrections}</td></tr>")
        parts.append("</table>")
    areas = [c for c in detail.corrections if c.face is None and c.track is None]
    if areas:
        parts.append("<h4>Areas blurred by hand</h4><ul>" + "".join(f"<li>{_correction(c)}</li>" for c in areas) + "</ul>")
    parts.append("<h4>Logged fields</h4><table cellspacing=0 cellpadding=2>")
    parts += [f"<tr><td><b>{escape(name)}</b></td><td>{escape(value)}</td></tr>" for name, value in detail.fields]
    parts.append("</table>")
    parts.append(f"<p><small>Hash {escape(detail.entry_hash)}<br>after {escape(detail.previous_hash)}</small></p>")
    if detail.related:
        parts.append("<h4>Other entries about this photo</h4><ul>")
        parts += [f"<li>#{r.seq} {escape(r.kind_label)} by {escape(r.user)}: {escape(r.summary)}</li>" for r in detail.related]
        parts.append("</ul>")
    return "".join(parts)


def _correction(correction: CorrectionDetail) -> str:
    who = f" as {escape(correction.person.label())}" if correction.person else ""
    when = correction.at.strftime("%d %b %H:%M") if correction.at else ""
    return f"{escape(correction.action_label)}{who} by {escape(correction.user)} {when}: “{escape(correction.reason)}”"
