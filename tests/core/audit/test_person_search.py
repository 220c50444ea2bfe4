"""Finding a person by name for the auditor's person report, without the consent register."""
from __future__ import annotations

import pytest

from register_helpers import audit_entries
from rws_desktop.core.audit.person_search import PersonSearch, matching
from rws_desktop.core.kernel.consent import PersonKind
from rws_desktop.core.kernel.permissions import NotAllowed, Role
from rws_desktop.core.kernel.ports import NewPerson
from sessions import signed_in


@pytest.fixture
def people(register) -> dict[str, int]:
    """Made-up people: two Olivias in different forms, one with an accent, and a member of staff."""
    added = [NewPerson("Olivia Harington", PersonKind.PUPIL, "MIS100", 8, "8R"),
             NewPerson("Olivia Harington", PersonKind.PUPIL, "MIS200", 10, "10W"),
             NewPerson("Zoë Lacamoire", PersonKind.PUPIL, "4242", 7, "7B"),
             NewPerson("Kit Staffmember", PersonKind.STAFF)]
    return {f"{d.name}/{d.mis_id}": register.add_person(d).id for d in added}


def test_the_auditor_finds_people_by_name_mis_id_or_id(store, channels, people):
    """Name words in any case and without accents, an MIS id or an id each find the right people; both namesakes
    are listed with what tells them apart."""
    search = PersonSearch(store, signed_in(store, channels, "AUD", Role.AUDITOR))
    found = search.find("harington")
    assert [p.mis_id for p in found] == ["MIS100", "MIS200"]
    assert found[0].describe() != found[1].describe() and "Year 8, 8R" in found[0].describe()
    assert [p.name for p in search.find("zoe laca")] == ["Zoë Lacamoire"]
    assert [p.name for p in search.find("mis200")] == ["Olivia Harington"]
    kit = people["Kit Staffmember/None"]
    assert search.find(f"#{kit}")[0].id == kit and "staff" in search.find(f"#{kit}")[0].describe()
    assert search.find("nobody by this name") == []


def test_an_exact_id_comes_before_names_containing_the_digits(store, channels, people):
    """Typing 4 lists person #4 first, even though another's MIS id (4242) also holds a 4."""
    everyone = PersonSearch(store, signed_in(store, channels, "AUD", Role.AUDITOR)).everyone()
    kit = people["Kit Staffmember/None"]
    assert matching(everyone, str(kit))[0].id == kit


def test_someone_without_the_auditor_role_is_refused_and_it_is_logged(store, channels, people):
    """Comms staff may not search people this way: refused with why, and the refusal is in the log."""
    search = PersonSearch(store, signed_in(store, channels, "COM", Role.COMMS))
    with pytest.raises(NotAllowed, match="auditor role"):
        search.find("olivia")
    assert audit_entries(store)[-1]["kind"] == "action_refused"
