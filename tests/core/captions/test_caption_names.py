"""Names in a caption: every form, matched ignoring case and accents, across line breaks, in hashtags and
handles, each judged against photo consent with name permission for the channel on the day."""
from __future__ import annotations

from rws_desktop.core.captions.findings import Confirmation


def test_full_names_and_forename_with_surname_are_found_and_judged(check, ids):
    """A full name is allowed with name permission and blocked without it; the reason names the problem."""
    assert check("Well played Amelia Khan and Siobhán O'Brien", "name") == [
        ("Amelia Khan", "allowed", {ids["Amelia Khan"]}),
        ("Siobhán O'Brien", "blocked", {ids["Siobhán O'Brien"]}),
    ]


def test_a_blocked_name_says_why(checker):
    """The reason says who and why: shown but not named, refused, or left."""
    reasons = [f.reason for f in checker.check("Siobhán O'Brien, Rose Patel and Leo Grant").findings]
    assert "consent to be shown, but not to be named" in reasons[0]
    assert "consent refused" in reasons[1]
    assert "left the school" in reasons[2]


def test_a_known_as_name_a_middle_surname_particle_and_initial_forms(check, ids):
    """'Libby Ward' and 'Elizabeth Ward' both mean Elizabeth (Libby) Ward; 'Daniel van Dijk' keeps its particle;
    'A. Khan' and 'A Khan' mean Amelia Khan, while a lower-case 'a Khan' is an article, not an initial."""
    found = check("Libby Ward, Elizabeth Ward, Daniel van Dijk, A. Khan and A Khan, not a Khan", "name")
    assert found == [
        ("Libby Ward", "allowed", {ids["Elizabeth (Libby) Ward"]}),
        ("Elizabeth Ward", "allowed", {ids["Elizabeth (Libby) Ward"]}),
        ("Daniel van Dijk", "blocked", {ids["Daniel van Dijk"]}),
        ("A. Khan", "allowed", {ids["Amelia Khan"]}),
        ("A Khan", "allowed", {ids["Amelia Khan"]}),
    ]


def test_a_title_with_a_surname_means_the_staff_member(check, ids):
    """'Mrs Khan' means Sarah Khan (staff), not the pupil Amelia Khan; 'Mr Baker' is staff without name permission."""
    assert check("Thanks to Mrs Khan. Mr. Baker ran the stall", "name") == [
        ("Mrs Khan", "allowed", {ids["Sarah Khan"]}),
        ("Mr. Baker", "blocked", {ids["Tom Baker"]}),
    ]


def test_a_surname_alone_is_not_a_name(check):
    """'Khan' without a title or forename is not matched (it would flag every surname that is also a word)."""
    assert check("The Khan academy visit", "name") == []


def test_possessives_are_names_and_the_fix_keeps_the_possessive(checker, ids):
    """"Amelia's" and "O'Brien’s" are found; the fix for a blocked possessive reads 'a Year 8 pupil's'."""
    findings = checker.check("Amelia's medal and Siobhán O'Brien’s cup").findings
    assert [(f.text, f.person_ids) for f in findings] == [
        ("Amelia's", (ids["Amelia Khan"],)), ("Siobhán O'Brien’s", (ids["Siobhán O'Brien"],)),
    ]
    assert findings[1].fix == "a Year 8 pupil's"


def test_case_and_accents_are_ignored(check, ids):
    """SIOBHAN O'BRIEN, siobhan o'brien, Chloe Dubois and CHLOÉ DUBOIS all match the register's accented names."""
    found = check("SIOBHAN O'BRIEN, siobhan o'brien, Chloe Dubois and CHLOÉ DUBOIS", "name")
    assert [person for _, _, person in found] == [{ids["Siobhán O'Brien"]}] * 2 + [{ids["Chloé Dubois"]}] * 2


def test_a_name_split_across_a_line_break_is_one_name(check, ids):
    """A forename at the end of one line and the surname on the next are matched as one name."""
    assert check("Congratulations to Siobhán\nO'Brien", "name") == [("Siobhán\nO'Brien", "blocked", {ids["Siobhán O'Brien"]})]


def test_hashtags_and_handles_are_split_into_names(check, ids):
    """#AmeliaKhan, #siobhanobrien, @chloe.dubois and @jack_smith are names; #Amelia is a forename."""
    found = check("#AmeliaKhan #siobhanobrien @chloe.dubois @jack_smith #Amelia", "name")
    assert found == [
        ("AmeliaKhan", "allowed", {ids["Amelia Khan"]}),
        ("siobhanobrien", "blocked", {ids["Siobhán O'Brien"]}),
        ("chloe.dubois", "allowed", {ids["Chloé Dubois"]}),
        ("jack_smith", "allowed", {ids["Jack Smith"]}),
        ("Amelia", "allowed", {ids["Amelia Khan"]}),
    ]


def test_a_forename_that_means_people_with_and_without_name_permission_needs_a_decision(checker, ids):
    """'Jack' could be Jack Smith (may be named), Jack Jones (shown only) or Jack Brown (refused): it must be rewritten or confirmed."""
    [finding] = checker.check("Jack scored twice").findings
    assert finding.verdict.value == "needs_decision" and finding.blocks
    assert set(finding.person_ids) == {ids["Jack Smith"], ids["Jack Jones"], ids["Jack Brown"]}
    assert "could be any of 3 people; 2 of them may not be named" in finding.reason


def test_a_confirmation_with_a_reason_lets_the_ambiguous_name_through(checker):
    """Confirmed with a typed reason, 'jack' (any case) no longer blocks and keeps the reason; an empty reason confirms nothing."""
    confirmed = checker.check("Well, jack scored", [Confirmation("Jack", "It is Jack Smith in 9B, who may be named")]).findings
    assert [(f.text, f.blocks, f.confirmed_reason) for f in confirmed if f.kind.value == "name"] == [
        ("jack", False, "It is Jack Smith in 9B, who may be named")]
    unconfirmed = checker.check("Well, jack scored", [Confirmation("Jack", "   ")]).findings
    assert unconfirmed[0].blocks


def test_a_forename_whose_people_all_may_not_be_named_is_blocked(check, ids):
    """'Daniel' means only Daniel van Dijk, who may not be named: blocked, not a decision."""
    assert check("Daniel painted this", "name") == [("Daniel", "blocked", {ids["Daniel van Dijk"]})]


def test_common_word_names_count_only_capitalised_mid_sentence_or_beside_a_surname(check, ids):
    """'Will you come?', 'you may', 'by the grace', 'a rose' and 'this summer' are words; 'our star Will',
    'with May' and 'Summer Hughes' are names, and so is 'Grace Okafor' at the start of a sentence."""
    caption = ("Will you come? You may. By the grace of the weather, a rose bloomed this summer.\n"
               "Our star Will shone, with May. Grace Okafor and Summer Hughes too")
    assert check(caption, "name") == [
        ("Will", "allowed", {ids["Will Turner"]}),
        ("May", "allowed", {ids["May Li"]}),
        ("Grace Okafor", "blocked", {ids["Grace Okafor"]}),
        ("Summer Hughes", "blocked", {ids["Summer Hughes"]}),
    ]


def test_a_common_word_at_a_line_start_after_a_sentence_is_not_a_name_but_a_run_on_line_is(check, ids):
    """'Hope' opening a new sentence on a new line is a word; 'Hope' continuing a line that ran on is a name."""
    assert check("A great day!\nHope to see you", "name") == []
    assert check("Medals for\nHope and others", "name") == [("Hope", "allowed", {ids["Hope Evans"]})]


def test_staff_are_people_in_the_register_too(check, ids):
    """A staff member named without name permission is blocked like a pupil."""
    assert check("Tom Baker led the trip", "name") == [("Tom Baker", "blocked", {ids["Tom Baker"]})]


def test_name_permission_is_judged_for_the_channel_checked(other_channel):
    """The checker judges consent for its own channel: an all-channels grant with name permission counts on WhatsApp,
    and a grant without it blocks there too."""
    whatsapp = other_channel("whatsapp")
    assert whatsapp.channel.key == "whatsapp"
    assert [f.verdict.value for f in whatsapp.check("Amelia Khan and Siobhán O'Brien").findings] == ["allowed", "blocked"]


def test_the_fix_replaces_a_blocked_name_with_the_pupils_year(checker):
    """The one-click fix for a blocked pupil is 'a Year N pupil' with their year; for staff, 'a member of staff'."""
    findings = checker.check("Siobhán O'Brien and Tom Baker").findings
    assert [(f.fix, f.fix_label) for f in findings] == [
        ("a Year 8 pupil", 'Replace with "a Year 8 pupil"'), ("a member of staff", 'Replace with "a member of staff"')]


def test_the_registers_legal_forename_is_found_as_well_as_the_preferred_one(check, ids):
    """Bobby Reid's legal forename, Robert, is in its own register column: 'Robert Reid', '#RobertReid', 'R. Reid'
    and 'Bobby Reid' all mean him, and each is blocked (he may be shown but not named)."""
    bobby = {ids["Bobby Reid"]}
    assert check("Robert Reid, #RobertReid, R. Reid and Bobby Reid", "name") == [
        ("Robert Reid", "blocked", bobby), ("RobertReid", "blocked", bobby), ("R. Reid", "blocked", bobby),
        ("Bobby Reid", "blocked", bobby)]


def test_a_legal_forename_alone_mid_sentence_is_found(check, ids):
    """'Robert' alone, capitalised mid-sentence, can only mean Bobby Reid here, so it is blocked like his name."""
    assert check("Well done to Robert today", "name") == [("Robert", "blocked", {ids["Bobby Reid"]})]
