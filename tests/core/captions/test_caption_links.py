"""Links and handles that are not the school's channels are warned; so are messages addressed to one person."""
from __future__ import annotations


def test_links_to_other_sites_are_warned_and_the_schools_own_are_allowed(check):
    """A personal Instagram link and an outside website are warnings; the school's website and its channel's profile pass."""
    caption = ("More at https://www.instagram.com/mr.smith.pe/ and bit.ly/3xYz. "
               "Photos on https://ravenswood.example/news and instagram.com/ravens.wood.school")
    assert check(caption, "link") == [
        ("https://www.instagram.com/mr.smith.pe/", "warning", set()),
        ("bit.ly/3xYz", "warning", set()),
        ("https://ravenswood.example/news", "allowed", set()),
        ("instagram.com/ravens.wood.school", "allowed", set()),
    ]


def test_handles_of_the_schools_channels_pass_and_others_are_warned(check):
    """@RWSPE and @ravens_wood_sport are the school's; @coach_dave is not; an email address is not a handle."""
    caption = "Follow @RWSPE and @ravens_wood_sport, not @coach_dave. Email office@ravenswood.example"
    assert check(caption, "link") == [
        ("@RWSPE", "allowed", set()), ("@ravens_wood_sport", "allowed", set()), ("@coach_dave", "warning", set())]


def test_a_handle_that_is_a_pupils_name_is_both_a_name_and_a_link(check, ids):
    """@siobhan_obrien is warned as a handle and blocked as the name of a pupil who may not be named."""
    found = check("Shout out to @siobhan_obrien")
    assert ("@siobhan_obrien", "warning", set()) in found
    assert ("siobhan_obrien", "blocked", {ids["Siobhán O'Brien"]}) in found


def test_messages_addressed_to_one_person_are_warned(check):
    """'Happy birthday Amelia', 'Dear Mr Baker' and 'Well done Tom' address one person; greetings to groups do not."""
    caption = ("Happy birthday Amelia! Dear Mr Baker, thank you. Well done Tom. "
               "Congratulations to Year 7. Thank you everyone. Good luck to the team")
    assert [text for text, verdict, _ in check(caption, "mention")] == ["Happy birthday Amelia", "Dear Mr Baker", "Well done Tom"]
    assert {verdict for _, verdict, _ in check(caption, "mention")} == {"warning"}


def test_warnings_do_not_block_but_blocked_findings_do(checker):
    """A warning leaves the caption postable; a blocked or undecided finding does not."""
    warned = checker.check("Well done Ellie, see bit.ly/abc").findings
    assert warned and not any(f.blocks for f in warned)
    assert any(f.blocks for f in checker.check("Ring 07700 900123").findings)
