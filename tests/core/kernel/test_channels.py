"""The seeded channels match section 2 of the social media policy."""
import pytest

from rws_desktop.core.kernel.channels import ChannelCatalogue, UnknownChannelError
from rws_desktop.paths import channels_file


@pytest.fixture(scope="module")
def channels():
    return ChannelCatalogue.from_toml(channels_file())


def test_every_policy_channel_is_seeded_with_its_admins(channels):
    """All eleven channels of the policy are there, with the staff it names as admins."""
    expected = {
        ("WhatsApp", "Ravens Wood School"): ("MSN", "MGL"),
        ("Instagram", "ravens.wood.school"): ("MSN",),
        ("Instagram", "rws_sixthform"): ("AWI",),
        ("Instagram", "ravens_wood_sport"): ("SPL", "NEF", "JFO", "TBE"),
        ("Facebook", "Ravens Wood Sport"): ("SPL", "NEF", "JFO", "TBE"),
        ("X", "@RWSPE"): ("SPL",),
        ("YouTube", "@RWSCoCurricular"): ("NEF",),
        ("X", "@GeographyRws"): ("AFR", "LG"),
        ("Instagram", "rws_geography"): ("ESH", "AFR", "LG"),
        ("Instagram", "rws_artdepartment"): ("TRH",),
        ("X", "@RWSmusic"): (),
    }
    assert {(c.platform, c.handle): c.admins for c in channels} == expected
    assert {c.key for c in channels if c.official} == {"whatsapp", "instagram"}


def test_only_channels_in_use_accept_photos(channels):
    """The Geography Instagram (not live) and Music X (not used) take no photos; the rarely used PE X still does."""
    closed = {c.key for c in channels if not c.accepts_photos}
    assert closed == {"geography-instagram", "music-x"}
    assert "not live yet" in channels.get("geography-instagram").refusal_reason()
    assert channels.get("sport-x").accepts_photos


def test_unknown_channel_lists_the_real_ones(channels):
    """Asking for a channel that does not exist says which keys do."""
    with pytest.raises(UnknownChannelError) as caught:
        channels.get("tiktok")
    assert "instagram" in str(caught.value) and "tiktok" in str(caught.value)
