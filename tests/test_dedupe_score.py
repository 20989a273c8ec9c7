"""Scoring: log-likelihood evidence per level, term frequencies, groups, vetoes, probability."""

from __future__ import annotations

import itertools
import math

import polars as pl
import pytest
from test_dedupe_support import contacts

from crmclean.dedupe import score
from crmclean.dedupe.coded_keys import KeyTable, encode
from crmclean.dedupe.compare import LEFT, RIGHT
from crmclean.dedupe.config import MatchConfig, load_match_config
from crmclean.dedupe.keys import key_table
from crmclean.dedupe.params import Parameters, estimate
from crmclean.dedupe.score import _WEIGHINGS, _tf_u, compared_pairs, score_pairs, weighed_pairs
from crmclean.rules import Rules

PRIOR = 0.001  # prior log-odds: log2(0.001 / 0.999) ~ -9.96 bits


@pytest.fixture(scope="module")
def config() -> MatchConfig:
    return MatchConfig.model_validate(
        {
            "version": 1,
            "auto_merge_threshold": 0.9,
            "review_threshold": 0.5,
            "blocking": [["emails"]],
            "comparisons": [
                {
                    "name": "email",
                    "key": "emails",
                    "method": "any_shared",
                    "levels": [{"at": 1.0, "m": 0.5, "u": 0.0001}],
                    "tf": True,
                },
                {
                    "name": "phone",
                    "key": "phones",
                    "method": "any_shared",
                    "levels": [{"at": 1.0, "m": 0.5, "u": 0.001}],
                    "group": "place",
                },
                {
                    "name": "company",
                    "key": "company",
                    "method": "exact",
                    "levels": [{"at": 1.0, "m": 0.5, "u": 0.001}],
                    "group": "place",
                },
                {
                    "name": "last_name",
                    "key": "last_name",
                    "method": "jaro_winkler",
                    "levels": [{"at": 1.0, "m": 0.8, "u": 0.01}, {"at": 0.9, "m": 0.1, "u": 0.01}],
                    "veto": True,
                    "veto_unless": ["email"],
                },
            ],
        }
    )


KINDS: dict[str, pl.DataType] = {
    "emails": pl.List(pl.String),
    "phones": pl.List(pl.String),
    "company": pl.String(),
    "last_name": pl.String(),
}
EMPTY = {"emails": ([], []), "phones": ([], []), "company": (None, None), "last_name": (None, None)}
PAIR = pl.DataFrame({"left": [0], "right": [1]}, schema={"left": pl.UInt32, "right": pl.UInt32})


def _table(**sides: tuple) -> KeyTable:
    """Two records (0 and 1) with the given keys, every other key empty."""
    columns = EMPTY | sides
    frame = pl.DataFrame({key: list(pair) for key, pair in columns.items()}, schema=KINDS)
    return encode(frame)


def _params(
    config: MatchConfig, table: KeyTable, email_shares: dict[str, float] | None = None
) -> Parameters:
    """The configured u, the prior, and the given shares of e-mails (by code; null for the
    others, which then weigh by their level's u)."""
    u = {spec.name: spec.u for spec in config.comparisons}
    shares = email_shares or {}
    values = table.values["emails"].to_list()
    by_code = pl.Series([shares.get(value) for value in values], dtype=pl.Float64)
    return Parameters(u, {"email": by_code}, PRIOR)


def _score(
    config: MatchConfig, email_shares: dict[str, float] | None = None, **sides: tuple
) -> dict:
    table = _table(**sides)
    (row,) = score_pairs(PAIR, table, config, _params(config, table, email_shares)).to_dicts()
    return row


def test_each_level_adds_log2_m_over_u(config: MatchConfig) -> None:
    row = _score(config, last_name=("pereira", "pereria"))
    assert row["w_last_name"] == pytest.approx(math.log2(0.1 / 0.01))
    expected = math.log2(0.1 / 0.01) + math.log2(PRIOR / (1 - PRIOR))
    assert row["match_weight"] == pytest.approx(expected)
    assert row["probability"] == pytest.approx(1 / (1 + 2**-expected))


def test_disagreement_takes_the_rest_of_m_and_u(config: MatchConfig) -> None:
    row = _score(config, last_name=("pereira", "santos"))
    assert row["w_last_name"] == pytest.approx(math.log2(0.1 / 0.98))


def test_missing_values_add_nothing(config: MatchConfig) -> None:
    row = _score(config, emails=([], ["a@x.com"]))
    assert row["sim_email"] is None
    assert row["w_email"] == 0.0


def test_a_shared_rare_value_weighs_more_than_a_common_one(config: MatchConfig) -> None:
    shares = {"rare@x.com": 0.00001, "team@x.com": 0.01}
    rare = _score(config, shares, emails=(["rare@x.com"], ["rare@x.com"]))
    common = _score(config, shares, emails=(["team@x.com", "b@x"], ["team@x.com"]))
    assert rare["w_email"] == pytest.approx(math.log2(0.5 / 0.00001))
    assert common["w_email"] == pytest.approx(math.log2(0.5 / 0.01))


def test_a_group_counts_its_strongest_agreement_once(config: MatchConfig) -> None:
    row = _score(config, phones=(["+1"], ["+1"]), company=("acme", "acme"))
    one = math.log2(0.5 / 0.001)
    assert row["w_phone"] == row["w_company"] == pytest.approx(one)
    assert row["match_weight"] == pytest.approx(one + math.log2(PRIOR / (1 - PRIOR)))


def test_a_group_still_counts_its_strongest_disagreement(config: MatchConfig) -> None:
    row = _score(config, phones=(["+1"], ["+2"]), company=("acme", "acme"))
    expected = math.log2(0.5 / 0.001) + math.log2(0.5 / 0.999) + math.log2(PRIOR / (1 - PRIOR))
    assert row["match_weight"] == pytest.approx(expected)


def test_a_veto_forbids_the_merge_unless_a_rescuing_comparison_agrees(
    config: MatchConfig,
) -> None:
    shares = {"a@x.com": 0.00001}
    phones = (["+1"], ["+1"])
    vetoed = _score(config, shares, phones=phones, last_name=("silva", "costa"))
    assert (vetoed["veto"], vetoed["match"], vetoed["review"]) == (True, False, False)
    shared = (["a@x.com"], ["a@x.com"])
    rescued = _score(config, shares, emails=shared, phones=phones, last_name=("silva", "costa"))
    assert (rescued["veto"], rescued["match"]) == (False, True)


def test_a_lift_can_ask_that_a_comparison_does_not_agree(config: MatchConfig) -> None:
    """``phone+!company``: a shared number lifts the veto only where the company does not
    agree (another one, or none on a record); a shared company explains the shared number."""
    specs = [
        spec.model_copy(update={"veto_unless": ["phone+!company"]})
        if spec.name == "last_name"
        else spec
        for spec in config.comparisons
    ]
    lifted = config.model_copy(update={"comparisons": specs})
    phones, names = (["+1"], ["+1"]), ("silva", "costa")
    apart = _score(lifted, phones=phones, last_name=names, company=("alfa", "beta"))
    unknown = _score(lifted, phones=phones, last_name=names, company=("alfa", None))
    colleagues = _score(lifted, phones=phones, last_name=names, company=("alfa", "alfa"))
    assert (apart["veto"], unknown["veto"], colleagues["veto"]) == (False, False, True)


def test_the_review_band_lies_between_the_thresholds(config: MatchConfig) -> None:
    row = _score(config, company=("acme", "acme"), last_name=("pereira", "pereria"))
    assert 0.5 <= row["probability"] < 0.9
    assert (row["match"], row["review"]) == (False, True)


def test_without_parameters_the_configured_u_are_used(config: MatchConfig) -> None:
    table = _table(emails=(["a@x"], ["a@x"]))
    row = score_pairs(PAIR, table, config).row(0, named=True)
    assert row["w_email"] == pytest.approx(math.log2(0.5 / 0.0001))


def test_an_empty_batch_of_pairs_scores_to_an_empty_frame(config: MatchConfig) -> None:
    table = _table()
    scored = score_pairs(PAIR.clear(), table, config, _params(config, table))
    assert scored.height == 0
    assert {"probability", "match", "review", "veto"} <= set(scored.columns)


def test_a_swapped_name_explains_different_first_and_last_names() -> None:
    config = load_match_config(Rules())
    swapped = contacts(
        {"first_name": "Noah", "last_name": "Watson"},
        {"first_name": "Watson", "last_name": "Noah"},
    )
    (row,) = score_pairs(PAIR, key_table(swapped, config.key_names, config), config).to_dicts()
    assert row["w_name_order"] > 5
    assert row["w_first_name"] == row["w_last_name"] == row["w_name"] == 0.0
    assert not row["veto"]


def _scored(*records: dict[str, object]) -> dict[str, object]:
    """The first two records' pair scored, keys made of every record."""
    config = load_match_config(Rules())
    table = key_table(contacts(*records), config.key_names, config)
    (row,) = score_pairs(PAIR, table, config).to_dicts()
    return row


def test_two_personal_mailboxes_count_against_more_than_a_work_and_a_personal_one() -> None:
    ana = {"first_name": "Ana", "last_name": "Tavares", "company": "Alfa Nova"}
    personal = _scored(
        {**ana, "email": "ana.tavares260@icloud.com"}, {**ana, "email": "ana.t1987@gmail.com"}
    )
    mixed = _scored(
        {**ana, "email": "ana.tavares260@icloud.com"}, {**ana, "email": "atavares@alfanova.com"}
    )
    assert personal["w_personal_email"] < -3
    assert mixed["w_personal_email"] == 0.0
    assert personal["probability"] < mixed["probability"]


def test_a_team_mailbox_word_is_no_ones_address() -> None:
    """Holders sharing an initial: not learned as a team mailbox, known by its word."""
    row = _scored(
        {"first_name": "Ana", "last_name": "Tavares", "email": "vertrieb@alfanova.de"},
        {"first_name": "Anja", "last_name": "Koch", "email": "vertrieb@alfanova.de"},
    )
    assert row["w_email"] == 0.0
    assert row["w_work_email"] == 0.0


def test_a_shared_private_number_lifts_the_surname_veto() -> None:
    """A double surname kept in part, a different part in each record (Ainhoa Ruiz / Ainhoa
    Muñoz), with the number of one record's phone as the other's mobile."""
    row = _scored(
        {"first_name": "Ainhoa", "last_name": "Ruiz", "phone": "+34612438801"},
        {"first_name": "Ainhoa", "last_name": "Muñoz", "mobile": "+34612438801"},
    )
    assert row["w_last_name"] < 0
    assert not row["veto"]


def test_a_shared_number_never_joins_two_whole_other_names() -> None:
    """A number lifts the veto of one name part that differs, not of both: two people sharing
    a line (a household, a reassigned number) unless an e-mail says one person."""
    line = {"mobile": "+5511961046895"}
    carla, cintia = {"first_name": "Carla", "last_name": "Borges"}, {"first_name": "Cintia"}
    other = _scored({**carla, **line}, {**cintia, "last_name": "Guimaraes", **line})
    mail = {"email": "cbg@gmail.com", **line}
    mailed = _scored({**carla, **mail}, {**cintia, "last_name": "Guimaraes", **mail})
    unnamed = _scored({"first_name": "Anna", **line}, {"first_name": "Ana", **line})
    assert other["veto"]
    assert not mailed["veto"]
    assert not unnamed["veto"]  # a part missing does not disagree


def test_a_shared_mobile_joins_one_name_split_otherwise_with_a_typo() -> None:
    """Both name parts differ only because the name was split otherwise between the fields
    and mistyped (Karl Heinz Köhler / Köhler, Kaal Heinz): with the same mobile, the words
    of the whole name agreeing loosely (name_order 0.8) lift the veto; a whole other name on
    the same line does not."""
    line = {"mobile": "+4915126928386"}
    karl = {"first_name": "Karl Heinz", "last_name": "Köhler", **line}
    split = _scored(karl, {"first_name": "Köhler", "last_name": "Kaal Heinz", **line})
    other = _scored(karl, {"first_name": "Klaus", "last_name": "Becker", **line})
    assert split["w_first_name"] < 0 and split["w_last_name"] < 0
    assert not split["veto"]
    assert other["veto"]


def test_two_work_addresses_at_one_domain_forbid_the_merge() -> None:
    """The namesake colleague: the same name and company, another address at its domain."""
    pedro = {"first_name": "Pedro", "last_name": "Tavares", "company": "Alfa Nova"}
    colleague = _scored(
        {**pedro, "email": "ptavares@alfanova.com"},
        {**pedro, "email": "pedro.ptavares@alfanova.com"},
    )
    typo = _scored(
        {**pedro, "email": "ptavares@alfanova.com"}, {**pedro, "email": "ptavarse@alfanova.com"}
    )
    assert colleague["veto"]
    assert not typo["veto"]


def test_a_birth_date_one_digit_off_lifts_the_first_name_veto() -> None:
    """A short form no table knows (Jack, John): a near birth date is evidence, not a
    contradiction; another year leaves the veto."""
    jack = {"first_name": "Jack", "last_name": "Hall", "birth_date": "1890-06-11"}
    john = {"first_name": "John", "last_name": "Hall"}
    near = _scored(jack, {**john, "birth_date": "1890-06-19"})
    apart = _scored(jack, {**john, "birth_date": "1920-02-03"})
    assert near["w_first_name"] < 0
    assert (near["veto"], apart["veto"]) == (False, True)


def test_twins_with_their_own_mailboxes_stay_two_people() -> None:
    """Twin sisters at one address, birth dates one digit apart in the records: the near
    birth date lifts no first-name veto when each has her own personal mailbox or mobile;
    one person with a short form no table knows still merges on it."""
    home = {"last_name": "Moon", "street": "620 Mary Vista", "postal_code": "92228"}
    janet = {"first_name": "Janet", "birth_date": "1993-03-03", **home}
    linda = {"first_name": "Linda", "birth_date": "1993-03-02", **home}
    twins = _scored({**janet, "email": "jmoon@aol.com"}, {**linda, "email": "lmoon@icloud.com"})
    mobiles = _scored({**janet, "mobile": "+16175844586"}, {**linda, "mobile": "+12065547449"})
    one = _scored({**janet, "email": "jmoon@aol.com"}, {**janet, "first_name": "Jenny"})
    assert twins["w_birth_date"] > 0 and twins["w_first_name"] < 0
    assert (twins["veto"], mobiles["veto"], one["veto"]) == (True, True, False)


def test_a_family_landline_lifts_no_first_name_veto_over_two_mobiles() -> None:
    """Deborah and Christopher Morton share the home landline, Christopher in two records (so
    the line reads as his); each has a mobile of their own: two whole other first names with
    two mobiles are two people, while a record without a mobile of its own and without the
    home address may still be his (a first name no table relates)."""
    line = {"last_name": "Morton", "phone": "+12068695740"}
    christopher = {"first_name": "Christopher", "mobile": "+14157469912", **line}
    christopher |= {"street": "86934 Connie Rd"}
    deborah = {"first_name": "Deborah", **line}
    both = _scored({**deborah, "mobile": "+12127772216"}, christopher, christopher)
    one = _scored(deborah, christopher, christopher)
    assert both["w_phone_national"] > 0 and both["w_first_name"] < 0
    assert (both["veto"], one["veto"]) == (True, False)


def test_a_landline_at_one_address_is_the_homes_and_lifts_no_first_name_veto() -> None:
    """Derek and Alicia Hoffman at one address, the home landline in two of her records (so
    it reads as hers), his record without a mobile: the number the address shares says "one
    home", which the address says already, not "one person"; the same number on a record
    without the address still lifts the veto of a first name no table relates."""
    home = {"last_name": "Hoffman", "street": "257 Whitehead Mountains", "postal_code": "61689"}
    line = {"phone": "+17136794207"}
    alicia = {"first_name": "Alicia", **home, **line, "mobile": "+14153270527"}
    derek = _scored({"first_name": "Derek", **home, **line}, alicia, alicia)
    elsewhere = _scored({"first_name": "Derek", "last_name": "Hoffman", **line}, alicia, alicia)
    assert derek["w_phone_national"] > 0 and derek["sim_address"] == 1.0
    assert (derek["veto"], elsewhere["veto"]) == (True, False)


def test_sisters_with_their_own_mailboxes_stay_two_people() -> None:
    """Delia and Celia Armendáriz Marrero: one letter apart, a long shared double surname (the
    whole names' words agree at 0.95), one landline, each her own personal mailbox: a first
    name that only comes near (below 0.9) with two personal mailboxes is two people; one
    person with two personal mailboxes and the same first name is not vetoed."""
    home = {"last_name": "Armendáriz Marrero", "phone": "+528116989210"}
    delia = {"first_name": "Delia", "email": "armendarizmarrerod@icloud.com", **home}
    celia = {"first_name": "Celia", "email": "armendarizmarreroc@outlook.com", **home}
    sisters = _scored(delia, celia)
    one = _scored(delia, {**delia, "email": "delia.armendariz@gmail.com"})
    assert sisters["w_personal_email"] < 0 and sisters["w_name_order"] > 0
    assert (sisters["veto"], one["veto"]) == (True, False)


def test_a_father_and_son_of_one_name_with_two_mobiles_and_birth_years_stay_apart() -> None:
    """Michael Wood and his son Michael, no generation marker, one address: two mobiles and
    birth dates in other years are two contradicting personal identifiers; two mobiles alone
    are one person who changed numbers, and two years alone a typo (FEBRL's duplicates)."""
    home = {"first_name": "Michael", "last_name": "Wood", "street": "6429 Dougherty Radial"}
    father = {**home, "mobile": "+15124641886", "birth_date": "1949-01-30"}
    son = {**home, "mobile": "+16178488480", "birth_date": "1983-07-12"}
    apart = _scored(father, son)
    changed = _scored(father, {**son, "birth_date": father["birth_date"]})
    retyped = _scored(father, {**son, "mobile": father["mobile"]})
    assert (apart["veto"], changed["veto"], retyped["veto"]) == (True, False, False)


def test_a_sibling_known_by_an_initial_that_spells_a_particle_is_another_person() -> None:
    """E. and Jonás Tejeda Aparicio at one address: the initial E is not Jonás (it is no
    particle to leave out, which made the whole names agree)."""
    home = {"last_name": "Tejeda Aparicio", "street": "Boulevard Sur Chacón 869"}
    row = _scored({"first_name": "E.", **home}, {"first_name": "Jonás", **home})
    assert row["w_name_order"] < 0 and row["w_first_name"] < 0
    assert row["veto"]


def test_a_generation_marker_on_one_record_gives_way_to_the_same_birth_date() -> None:
    """Raúl Cañizares Cabrero Jr. and a record of him without the marker, one birth date: a
    father and a son are never born on one day; another birth date leaves them apart."""
    son = {"first_name": "Raúl", "last_name": "Cañizares Cabrero", "birth_date": "2007-07-08"}
    marked = {**son, "last_name": "Cañizares Cabrero Jr."}
    same = _scored(marked, son)
    father = _scored(marked, {**son, "birth_date": "1975-02-11"})
    assert same["w_generation"] < 0 and father["w_generation"] < 0
    assert (same["veto"], father["veto"]) == (False, True)


def test_tf_takes_the_rarest_shared_value_of_one_or_several() -> None:
    table = encode(pl.DataFrame({"emails": [["a"], ["a"], ["a", "b"], ["b", "a"], [], ["c"]]}))
    shares = pl.Series([0.1, 0.01, 0.5])  # a, b, c: codes in order of first appearance
    pairs = pl.DataFrame(
        [(0, 1), (2, 3), (0, 2), (4, 5), (0, 5)], schema=[LEFT, RIGHT], orient="row"
    ).cast(pl.UInt32)
    assert _tf_u(pairs, table, "emails", shares).to_list() == [0.1, 0.01, 0.1, None, None]


def test_tf_is_looked_up_only_where_the_pair_agrees_at_the_first_level(
    config: MatchConfig,
) -> None:
    """The ``u`` of the value agreed on weighs only at the first level: a pair sharing no
    e-mail has none, a pair sharing one has that value's."""
    frame = pl.DataFrame(
        {
            "emails": [["a"], ["a"], ["b"], ["a", "b"]],
            "phones": [[], [], [], []],
            "company": [None] * 4,
            "last_name": ["hall"] * 4,
        },
        schema=KINDS,
    )
    table = encode(frame)
    rows = [(0, 1), (1, 2), (2, 3), (0, 3)]
    pairs = pl.DataFrame(rows, schema=[LEFT, RIGHT], orient="row").cast(pl.UInt32)
    params = _params(config, table, {"a": 0.1, "b": 0.01})
    compared = compared_pairs(pairs, table, config, params)
    assert compared["sim_email"].to_list() == [1.0, 0.0, 1.0, 1.0]
    assert compared["_tf_email"].to_list() == [0.1, None, 0.01, 0.1]


def test_an_address_two_records_hold_weighs_more_than_one_forty_hold() -> None:
    """A home shared by two records (one person) against an office shared by forty: the exact
    address weighs by its frequency; another house number of the street is no exact match."""
    config = load_match_config(Rules())
    home = {"street": "12 Rua das Flores", "city": "Recife"}
    office = {"street": "500 Avenida Paulista", "city": "Sao Paulo"}
    others = [{"street": f"{n} Rua {n}", "city": "Recife"} for n in range(1, 2000)]
    records = [home, home, office, {"street": "14 Rua das Flores", "city": "Recife"}]
    records += [office] * 39 + others
    named = [{"first_name": f"Ana{n}", "last_name": "Tavares", **r} for n, r in enumerate(records)]
    table = key_table(contacts(*named), config.key_names, config)
    pairs = pl.DataFrame(
        {"left": [0, 2, 0], "right": [1, 4, 3]}, schema={"left": pl.UInt32, "right": pl.UInt32}
    )
    shared, crowded, neighbour = score_pairs(
        pairs, table, config, estimate(table, config)
    ).to_dicts()
    assert shared["w_address"] > shared["w_street"] > 0
    assert crowded["w_address"] < shared["w_address"]
    assert neighbour["w_address"] <= 0


def test_a_typo_in_a_rare_first_name_weighs_more_than_in_a_common_one() -> None:
    """A near first name (one typo) weighs by the commoner spelling's frequency (tf_levels): a
    rare name mistyped says more than a common one mistyped, never more than an average
    exact agreement."""
    config = load_match_config(Rules())
    syllables = ["".join(p) for p in itertools.product("bdfglmprtv", "aeiou", "lnrs", "aeiou")]
    common = [{"first_name": "Joana", "last_name": word.title()} for word in syllables[:300]]
    others = [{"first_name": word.title(), "last_name": "Rocha"} for word in syllables[300:]]
    records = [
        {"first_name": "Joana", "last_name": "Tavares"},
        {"first_name": "Jaona", "last_name": "Moreira"},
        {"first_name": "Wenceslau", "last_name": "Tavares"},
        {"first_name": "Wencselau", "last_name": "Moreira"},
        *common,
        *others,
    ]
    table = key_table(contacts(*records), config.key_names, config)
    pairs = pl.DataFrame({"left": [0, 2], "right": [1, 3]}).cast(pl.UInt32)
    params = estimate(table, config)
    joana, wenceslau = score_pairs(pairs, table, config, params).to_dicts()
    assert 0 < joana["sim_first_name"] < 1 and 0 < wenceslau["sim_first_name"] < 1
    m, u = next(spec.m for spec in config.comparisons if spec.name == "first_name"), params.u
    cap = max(math.log2(m[0] / u["first_name"][0]), math.log2(m[1] / u["first_name"][1]))
    assert 0 < joana["w_first_name"] < wenceslau["w_first_name"] <= cap


def test_the_weighing_built_once_follows_a_changed_model(config: MatchConfig) -> None:
    """The expressions kept for the chunks of a run are those of the model in use: another
    ``m``, ``u`` or prior (even changed in place) weighs as a fresh build does."""
    table = _table(emails=(["a@x.com"], ["a@x.com"]), last_name=("pereira", "pereria"))
    params = _params(config, table, {"a@x.com": 0.001})
    compared = compared_pairs(PAIR, table, config, params)
    first = weighed_pairs(compared, config, params)
    params.m["last_name"] = [0.5, 0.4, 0.1]
    params.u["email"][0] = 0.002
    changed = weighed_pairs(compared, config, params)
    _WEIGHINGS.clear()
    assert changed.equals(weighed_pairs(compared, config, params))
    assert not changed.equals(first)
    other = Parameters(params.u, params.tf, PRIOR * 2, params.m)
    assert weighed_pairs(compared, config, other)["match_weight"][0] == pytest.approx(
        changed["match_weight"][0] + math.log2(2 * PRIOR / (1 - 2 * PRIOR) * (1 - PRIOR) / PRIOR)
    )


def test_a_quick_weight_and_a_full_one_keep_their_weighings_side_by_side(
    config: MatchConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk's quick weight and its weighing in full read other term-frequency columns
    (and may run on two threads at once): each finds its expressions built, call after call."""
    table = _table(emails=(["a@x.com"], ["a@x.com"]), last_name=("pereira", "pereria"))
    params = _params(config, table, {"a@x.com": 0.001})
    compared = compared_pairs(PAIR, table, config, params)
    partial = compared.drop("_tf_email")
    built: list[tuple[str, ...]] = []
    build = score._built
    monkeypatch.setattr(score, "_built", lambda *args: built.append(args[2]) or build(*args))
    _WEIGHINGS.clear()
    weighed = [weighed_pairs(frame, config, params) for frame in [compared, partial] * 3]
    assert built == [("_tf_email",), ()]
    assert weighed[0].equals(weighed[2]) and weighed[1].equals(weighed[5])
