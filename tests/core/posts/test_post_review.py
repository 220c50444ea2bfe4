"""One decision per post: ready, or blocked with every reason; and the caption's names agree with the faces."""
from __future__ import annotations

from rws_desktop.core.captions.findings import Confirmation
from rws_desktop.core.kernel.decisions import Decision

from post_register import blurred, shown


def test_a_clean_caption_with_safe_photos_is_ready(service, checker, vetted, ids):
    """Allowed names, the school's number and a redacted photo: ready, no problems, the report in the JSON shape."""
    photo = vetted("sports.jpg", [shown(ids["Amelia Khan"], True), blurred(None)])
    review = service.review(checker, "Well played Amelia Khan! Questions: 01632 960000", [photo])
    assert review.decision == "ready" and review.problems == ()
    report = review.as_dict()
    assert set(report) == {"decision", "caption", "media"}
    assert report["media"] == [photo.as_dict()]
    assert [f["kind"] for f in report["caption"]["findings"]] == ["name", "phone"]
    assert set(report["caption"]["findings"][0]) == {"kind", "start", "end", "text", "person_ids", "verdict", "reason"}


def test_a_blocked_post_lists_every_reason(service, checker, vetted, ids):
    """A blocked name, a phone number, an undecided 'Jack' and a blocked photo each give a reason."""
    good = vetted("a.jpg", [])
    bad = vetted("b.jpg", [], Decision.BLOCKED)
    review = service.review(checker, "Siobhán O'Brien and Jack: ring 07700 900123", [good, bad])
    assert review.decision == "blocked"
    assert len(review.problems) == 4
    assert any("b.jpg is blocked" in p for p in review.problems)
    assert any("Siobhán O'Brien" in p for p in review.problems)
    assert any("07700 900123" in p for p in review.problems)
    assert any("'Jack'" in p and "confirm" in p for p in review.problems)


def test_a_confirmed_ambiguous_name_no_longer_blocks(service, checker, vetted):
    """With 'Jack' confirmed and a reason typed, the same post is ready."""
    photo = vetted("a.jpg", [])
    review = service.review(checker, "Jack scored", [photo], [Confirmation("Jack", "Jack Smith, 9B")])
    assert review.ready and [f.confirmed_reason for f in review.confirmed] == ["Jack Smith, 9B"]


def test_naming_someone_blurred_in_the_photos_blocks_the_post(service, checker, vetted, ids):
    """Amelia may be named, but she is blurred in the photo (say her consent lapsed): naming her defeats the blur."""
    photo = vetted("trip.jpg", [blurred(ids["Amelia Khan"])])
    review = service.review(checker, "Amelia Khan on the trip", [photo])
    [finding] = review.caption.findings
    assert finding.verdict.value == "blocked"
    assert "blurred in trip.jpg" in finding.reason and "defeats the blur" in finding.reason
    assert review.decision == "blocked"


def test_naming_someone_shown_without_name_permission_blocks_even_a_confirmed_name(service, checker, vetted, ids):
    """Jack Jones is shown (photo consent) but may not be named: 'Jack', even confirmed, points at him."""
    photo = vetted("match.jpg", [shown(ids["Jack Jones"], False)])
    review = service.review(checker, "Jack scored", [photo], [Confirmation("Jack", "I meant Jack Smith")])
    [finding] = review.caption.findings
    assert finding.verdict.value == "blocked" and finding.confirmed_reason is None
    assert "shown in match.jpg and named here" in finding.reason


def test_a_photo_of_someone_not_named_needs_no_name_permission(service, checker, vetted, ids):
    """Showing Jack Jones while naming only Amelia Khan is fine: faces alone follow photo consent."""
    photo = vetted("match.jpg", [shown(ids["Jack Jones"], False), shown(ids["Amelia Khan"], True)])
    review = service.review(checker, "Amelia Khan and friends", [photo])
    assert review.ready and review.shown_person_ids == sorted([ids["Jack Jones"], ids["Amelia Khan"]])


def test_a_post_needs_a_photo_and_a_live_channel(service, store, channels, vetted):
    """No photos blocks; so does a channel that is not live, whatever the caption."""
    from post_register import TODAY, post_service

    assert "at least one photo" in service.review(service.checker("instagram", TODAY), "Hello", []).problems[0]
    geography = post_service(store, channels, "ESH").checker("geography-instagram", TODAY)
    review = service.review(geography, "Hello", [vetted("a.jpg", [])])
    assert review.decision == "blocked" and "not live" in review.problems[0]
