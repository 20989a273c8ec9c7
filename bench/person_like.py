"""A person benchmark in the *shape* of Splink's historical_50k, generated here (no real data).

The public set lists historical British persons, ~10 records each, in the columns ``unique_id,
cluster, full_name, first_and_surname, first_name, surname, dob, birth_place, postcode_fake,
gender, occupation`` (all lowercase, ISO dates). This generator only copies that shape: its own
name, town and occupation vocabularies, its own damage. Records of one person differ by typos,
missing values, nicknames and initials, a title or middle name in the full name, a date with the
day and month swapped, one component off or only the year right, another postcode of the same
district, the birth place as the county instead of the town, the occupation phrased another
way. Common first names and surnames make many namesakes (same name, other dates and places).

    .venv/bin/python bench/person_like.py OUT.csv --people 5000 --seed 11
"""

from __future__ import annotations

import argparse
import string
from pathlib import Path
from random import Random

import polars as pl

# first name -> nicknames a record may use instead (real English short forms)
MALE = {
    "john": ["jack", "johnny"],
    "william": ["will", "bill", "willie"],
    "thomas": ["tom", "tommy"],
    "james": ["jim", "jamie"],
    "george": [],
    "charles": ["charlie"],
    "henry": ["harry", "hal"],
    "robert": ["bob", "rob", "robin"],
    "edward": ["ned", "ted", "eddie"],
    "richard": ["dick", "rick"],
    "joseph": ["joe"],
    "samuel": ["sam"],
    "arthur": ["art"],
    "frederick": ["fred", "freddie"],
    "alexander": ["alex", "sandy"],
    "francis": ["frank"],
    "walter": ["wat"],
    "hugh": [],
    "david": ["dave", "davy"],
    "peter": ["pete"],
    "andrew": ["andy", "drew"],
    "archibald": ["archie"],
    "alfred": ["alf", "alfie"],
    "benjamin": ["ben"],
    "christopher": ["kit", "chris"],
    "daniel": ["dan"],
    "edmund": ["ned"],
    "ernest": ["ernie"],
    "herbert": ["bert"],
    "matthew": ["matt"],
    "nicholas": ["nick"],
    "patrick": ["pat", "paddy"],
    "philip": ["phil"],
    "ralph": [],
    "roger": [],
    "stephen": ["steve"],
    "anthony": ["tony"],
    "michael": ["mike"],
    "duncan": [],
    "angus": [],
    "malcolm": [],
    "gilbert": ["gil"],
    "lionel": [],
    "percy": [],
    "cuthbert": [],
    "ambrose": [],
    "humphrey": [],
    "reginald": ["reggie", "reg"],
    "horace": [],
    "laurence": ["larry"],
    "evelyn": [],
    "oswald": ["ozzy"],
    "neville": [],
    "basil": [],
    "cecil": [],
}
FEMALE = {
    "mary": ["molly", "polly"],
    "elizabeth": ["eliza", "beth", "betty", "bess", "lizzie"],
    "anne": ["annie", "nan"],
    "margaret": ["maggie", "peggy", "meg"],
    "jane": ["jenny"],
    "catherine": ["kate", "kitty"],
    "sarah": ["sally"],
    "frances": ["fanny"],
    "charlotte": ["lottie"],
    "emily": ["emmy"],
    "harriet": ["hattie"],
    "isabella": ["bella"],
    "dorothy": ["dolly", "dot"],
    "eleanor": ["nell", "ellie"],
    "agnes": [],
    "alice": [],
    "edith": ["edie"],
    "florence": ["flo"],
    "victoria": ["vicky"],
    "louisa": ["lou"],
    "helen": ["nell"],
    "susan": ["sue"],
    "rose": [],
    "violet": [],
    "winifred": ["winnie"],
    "ethel": [],
    "grace": [],
    "lucy": [],
    "christina": ["tina"],
    "joan": [],
}
_SURNAME_TEXT = (
    "smith jones williams taylor brown davies evans wilson thomas johnson roberts robinson "
    "thompson wright walker white edwards hughes green hall lewis harris clarke patel jackson "
    "wood turner martin cooper hill ward morris moore clark lee king baker harrison morgan "
    "allen james scott phillips watson davis parker price bennett young griffiths mitchell "
    "kelly cook carter richardson bailey collins bell shaw murphy miller cox richards khan "
    "marshall anderson simpson ellis adams singh begum wilkinson foster chapman powell webb "
    "rogers gray mason ali hunt hussain campbell matthews owen palmer holmes mills barnes knight "
    "lloyd butler russell barker fisher stevens jenkins murray dixon harvey graham pearson "
    "ahmed fletcher walsh kaur gibson howard andrews stewart elliott reynolds saunders payne "
    "fox ford pearce day brooks west lawrence cole atkinson bradley spencer gill dawson ball "
    "burton o'brien watts rose booth perry ryan grant wells armstrong francis rees hayes hart "
    "hudson newman barrett webster hunter gregory carr lowe page marsh riley dunn woods "
    "stone parsons hamilton burns macdonald mackenzie fraser sinclair drummond buchanan "
    "cunningham ferguson gordon kerr maclean macleod munro robertson ross sutherland wallace "
    "montgomery douglas hamilton lindsay maxwell ogilvie kennedy crawford boyd cochrane "
    "clifford howard percy neville courtenay stanley cavendish russell seymour grenville "
    "talbot herbert spencer villiers manners cecil fiennes vane lumley fitzroy stuart "
    "chudleigh pemberton ashworth blackwood whitmore fairfax hastings ormsby tollemache "
    "wentworth carteret beauchamp mordaunt devereux molyneux pelham legge bathurst"
)
SURNAMES = _SURNAME_TEXT.split()
# town -> county; a record may give the county instead of the town
TOWNS = {
    "exeter": "devon",
    "plymouth": "devon",
    "torquay": "devon",
    "barnstaple": "devon",
    "truro": "cornwall",
    "penzance": "cornwall",
    "bath": "somerset",
    "taunton": "somerset",
    "bristol": "gloucestershire",
    "gloucester": "gloucestershire",
    "cheltenham": "gloucestershire",
    "oxford": "oxfordshire",
    "banbury": "oxfordshire",
    "reading": "berkshire",
    "windsor": "berkshire",
    "london": "middlesex",
    "westminster": "middlesex",
    "islington": "middlesex",
    "canterbury": "kent",
    "dover": "kent",
    "maidstone": "kent",
    "brighton": "sussex",
    "chichester": "sussex",
    "winchester": "hampshire",
    "portsmouth": "hampshire",
    "southampton": "hampshire",
    "salisbury": "wiltshire",
    "norwich": "norfolk",
    "ipswich": "suffolk",
    "cambridge": "cambridgeshire",
    "ely": "cambridgeshire",
    "lincoln": "lincolnshire",
    "nottingham": "nottinghamshire",
    "derby": "derbyshire",
    "leicester": "leicestershire",
    "birmingham": "warwickshire",
    "coventry": "warwickshire",
    "worcester": "worcestershire",
    "hereford": "herefordshire",
    "shrewsbury": "shropshire",
    "chester": "cheshire",
    "liverpool": "lancashire",
    "manchester": "lancashire",
    "preston": "lancashire",
    "lancaster": "lancashire",
    "york": "yorkshire",
    "leeds": "yorkshire",
    "sheffield": "yorkshire",
    "hull": "yorkshire",
    "bradford": "yorkshire",
    "durham": "county durham",
    "sunderland": "county durham",
    "newcastle upon tyne": "northumberland",
    "carlisle": "cumberland",
    "kendal": "westmorland",
    "edinburgh": "midlothian",
    "leith": "midlothian",
    "glasgow": "lanarkshire",
    "paisley": "renfrewshire",
    "aberdeen": "aberdeenshire",
    "dundee": "angus",
    "perth": "perthshire",
    "inverness": "inverness-shire",
    "stirling": "stirlingshire",
    "ayr": "ayrshire",
    "dumfries": "dumfriesshire",
    "cardiff": "glamorgan",
    "swansea": "glamorgan",
    "belfast": "county antrim",
    "dublin": "county dublin",
    "cork": "county cork",
}
# postcode areas near each county (fake, UK style)
AREAS = {
    "devon": ["ex", "pl", "tq"], "cornwall": ["tr", "pl"], "somerset": ["ba", "ta"],
    "gloucestershire": ["bs", "gl"], "oxfordshire": ["ox"], "berkshire": ["rg", "sl"],
    "middlesex": ["n", "nw", "sw", "w", "ec", "e"], "kent": ["ct", "me", "tn"],
    "sussex": ["bn", "po", "rh"], "hampshire": ["so", "po"], "wiltshire": ["sp", "sn"],
    "norfolk": ["nr"], "suffolk": ["ip"], "cambridgeshire": ["cb", "pe"], "lincolnshire": ["ln"],
    "nottinghamshire": ["ng"], "derbyshire": ["de"], "leicestershire": ["le"],
    "warwickshire": ["b", "cv"], "worcestershire": ["wr"], "herefordshire": ["hr"],
    "shropshire": ["sy"], "cheshire": ["ch", "cw"], "lancashire": ["l", "m", "pr", "la"],
    "yorkshire": ["yo", "ls", "s", "hu", "bd"], "county durham": ["dh", "sr"],
    "northumberland": ["ne"], "cumberland": ["ca"], "westmorland": ["la"],
    "midlothian": ["eh"], "lanarkshire": ["g", "ml"], "renfrewshire": ["pa"],
    "aberdeenshire": ["ab"], "angus": ["dd"], "perthshire": ["ph"], "inverness-shire": ["iv"],
    "stirlingshire": ["fk"], "ayrshire": ["ka"], "dumfriesshire": ["dg"], "glamorgan": ["cf", "sa"],
    "county antrim": ["bt"], "county dublin": ["bt"], "county cork": ["bt"],
}  # fmt: skip
# occupation -> other ways a record phrases it
OCCUPATIONS = {
    "politician": ["member of parliament", "statesman"],
    "priest": ["anglican priest", "clergyman", "cleric"],
    "painter": ["artist", "portrait painter"],
    "writer": ["author", "novelist"],
    "poet": ["writer"],
    "soldier": ["military officer", "army officer"],
    "naval officer": ["royal navy officer", "sailor"],
    "lawyer": ["barrister", "solicitor"],
    "judge": ["justice of the peace"],
    "physician": ["doctor", "surgeon"],
    "association football player": ["footballer", "football player"],
    "cricketer": ["cricket player"],
    "rugby union player": ["rugby player"],
    "actor": ["stage actor", "film actor"],
    "singer": ["vocalist", "opera singer"],
    "composer": ["musician"],
    "architect": [],
    "engineer": ["civil engineer", "mechanical engineer"],
    "merchant": ["trader", "businessperson"],
    "banker": ["financier"],
    "historian": ["antiquarian"],
    "mathematician": ["scientist"],
    "botanist": ["naturalist"],
    "chemist": ["scientist"],
    "physicist": ["scientist"],
    "journalist": ["newspaper editor", "editor"],
    "teacher": ["schoolmaster"],
    "university teacher": ["professor", "academic"],
    "diplomat": ["ambassador"],
    "landowner": ["landed gentry"],
    "farmer": ["agriculturalist"],
    "bishop": ["anglican bishop"],
    "missionary": [],
    "explorer": [],
    "photographer": [],
    "sculptor": ["artist"],
    "printmaker": ["engraver"],
    "trade unionist": [],
    "aristocrat": ["peer"],
    "civil servant": ["official"],
}
# parts of rarer English place-derived surnames (ash + worth -> ashworth)
SURNAME_HEADS = "ash brad brom cal chat dar elm fair gar hal hart kings lang mar nor pen rad "
SURNAME_HEADS += "red ross shel stan thorn wal whit wood win yar"
SURNAME_TAILS = "by combe don field ford ham hurst ley more ton wick worth well stead"
TITLES = ["sir", "lord", "dr", "rev", "captain", "lady", "dame"]
HONOURS = ["1st baron {p}", "2nd baronet", "3rd earl of {p}", "of {p}", "viscount {p}"]


def _zipf(rng: Random, items: list, power: float = 1.0):
    """One item, the first ones far more often (common names, common towns)."""
    weights = [1 / (rank + 1) ** power for rank in range(len(items))]
    return rng.choices(items, weights=weights)[0]


def _typo(rng: Random, text: str) -> str:
    """One keystroke wrong: a letter dropped, doubled, swapped with the next or replaced."""
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    if kind == 2:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]


def _surname_of(rng: Random) -> str:
    """A common surname (namesakes) or a rarer place-derived one."""
    if rng.random() < 0.6:
        return _zipf(rng, SURNAMES, 0.7)
    return rng.choice(SURNAME_HEADS.split()) + rng.choice(SURNAME_TAILS.split())


def _postcode(rng: Random, area: str) -> str:
    letters = "abdefghjlnpqrstuwxyz"
    unit = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    return f"{area}{rng.randint(1, 30)} {unit}"


def _person(rng: Random, pid: int) -> dict:
    male = rng.random() < 0.8  # historical records: mostly men
    names = MALE if male else FEMALE
    town = _zipf(rng, list(TOWNS), 0.6)
    county = TOWNS[town]
    first = _zipf(rng, list(names), 0.8)
    return {
        "pid": f"P{pid:06d}",
        "first": first,
        "middle": _zipf(rng, list(names), 0.8) if rng.random() < 0.35 else None,
        "surname": _surname_of(rng),
        "dob": (rng.randint(1550, 1960), rng.randint(1, 12), rng.randint(1, 28)),
        "town": town,
        "county": county,
        "postcode": _postcode(rng, rng.choice(AREAS[county])),
        "gender": "male" if male else "female",
        "occupation": _zipf(rng, list(OCCUPATIONS), 0.7),
        "honour": rng.choice(HONOURS).format(p=rng.choice(list(TOWNS)).split()[0])
        if rng.random() < 0.15
        else None,
        "title": rng.choice(TITLES) if rng.random() < 0.2 else None,
        "nicknames": names[first],
    }


def _first(rng: Random, person: dict) -> str | None:
    roll = rng.random()
    if roll < 0.03:
        return None
    if roll < 0.15 and person["nicknames"]:
        return rng.choice(person["nicknames"])
    if roll < 0.19:
        return person["first"][0]
    if roll < 0.27:
        return _typo(rng, person["first"])
    return person["first"]


def _surname(rng: Random, person: dict) -> str | None:
    roll = rng.random()
    if roll < 0.03:
        return None
    if roll < 0.12:
        return _typo(rng, person["surname"])
    return person["surname"]


def _dob(rng: Random, person: dict) -> str | None:
    year, month, day = person["dob"]
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.13 and day <= 12:
        month, day = day, month
    elif roll < 0.20:
        day = max(1, min(28, day + rng.choice([-2, -1, 1, 2])))
    elif roll < 0.25:
        year += rng.choice([-1, 1])
    elif roll < 0.28:
        month, day = 1, 1  # only the year known
    return f"{year:04d}-{month:02d}-{day:02d}"


def _full_name(rng: Random, person: dict, first: str | None, surname: str | None) -> str:
    words = [first or person["first"]]
    if person["middle"] and rng.random() < 0.5:
        words.append(person["middle"] if rng.random() < 0.8 else person["middle"][0])
    words.append(surname or person["surname"])
    if person["title"] and rng.random() < 0.4:
        words.insert(0, person["title"])
    full = " ".join(words)
    if person["honour"] and rng.random() < 0.6:
        full += ", " + person["honour"]
    return full


def _record(rng: Random, person: dict, index: int) -> dict:
    first, surname = _first(rng, person), _surname(rng, person)
    area = person["postcode"].split()[0]
    unit = person["postcode"] if rng.random() < 0.6 else f"{area} {_postcode(rng, 'x').split()[1]}"
    place = person["town"] if rng.random() < 0.75 else person["county"]
    occupation = person["occupation"]
    if rng.random() < 0.3 and OCCUPATIONS[occupation]:
        occupation = rng.choice(OCCUPATIONS[occupation])
    return {
        "unique_id": f"{person['pid']}-{index}",
        "cluster": person["pid"],
        "full_name": _full_name(rng, person, first, surname),
        "first_and_surname": " ".join(w for w in (first, surname) if w) or None,
        "first_name": first,
        "surname": surname,
        "dob": _dob(rng, person),
        "birth_place": None if rng.random() < 0.12 else place,
        "postcode_fake": None if rng.random() < 0.1 else unit,
        "gender": None if rng.random() < 0.25 else person["gender"],
        "occupation": None if rng.random() < 0.15 else occupation,
    }


def person_like(people: int, seed: int) -> pl.DataFrame:
    """``people`` persons with 1-20 records each (about 10 on average), rows shuffled."""
    rng = Random(seed)
    records = []
    for pid in range(people):
        person = _person(rng, pid)
        count = min(20, max(1, round(rng.gauss(10, 4))))
        records += [_record(rng, person, i + 1) for i in range(count)]
    rng.shuffle(records)
    return pl.DataFrame(records, schema={k: pl.String for k in records[0]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    person_like(args.people, args.seed).write_csv(args.out)


if __name__ == "__main__":
    main()
