from transforms.events.roles import decode, pair_features, voice_of


def test_voice_is_read_from_the_verb_prefix():
    assert [voice_of(w) for w in ("diserang", "menyerang", "bertemu", "tertangkap", "tiba")] == ["di", "me", "ber", "ter", "bare"]


def test_features_name_the_side_distance_and_marker_word():
    words = "Ukraina diserang oleh Rusia pada 2022 .".split()
    features = pair_features(words, (1, 2), (3, 4), 0)
    assert {"vs=di|R", "prev=di|R|oleh", "oleh_between=di|R", "d=di|R|1"} <= set(features)
    assert "prev=di|L|EDGE" in pair_features(words, (1, 2), (0, 1), 0)


def test_decoding_is_joint_and_may_stay_silent():
    # one candidate best for both roles: it takes the role it scores higher in, the other role goes elsewhere or to nobody
    assert decode([(3.0, 2.5), (-1.0, 1.0)])[:2] == (0, 1)
    assert decode([(3.0, 2.5)])[:2] == (0, None)
    # every score below "nobody" (0): silence
    a1, a2, p1, p2 = decode([(-2.0, -3.0)])
    assert (a1, a2) == (None, None) and p1 > 0.5 and p2 > 0.5
    assert decode([])[:2] == (None, None)
