"""Field types shared by every record schema: slugs, precision dates, countries, URLs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import ValidationError, fields, validate

# Facts about a field live in its marshmallow metadata, read by the build, the queries and the docs.
# (Plain keys: apispec copies only OpenAPI keywords and "x-" keys into the document.)
LABEL = "label"  # names the record (name, title, aliases): needs no citation; an exact match ranks first in search
PROSE = "prose"  # describes the record in free text: needs no citation
SEARCH_WEIGHT = "search_weight"  # indexed for full-text search, with this bm25 weight
STARTS = "starts"  # the record exists from this date (the first known of such fields), for `as_of`
NOT_BEFORE = "not_before"  # names of date fields this date cannot precede
VOCABULARY = "vocabulary"  # free text that names shared things: one spelling across records
CHANGES = "changes_over_time"  # dated values (prices, roles, names) that `as_of` picks by day
HELD_SINCE = "held_since"  # names the date field from which this field's value holds (a parent since an acquisition)
TIMELINE = "timeline"  # a milestone on the timeline: (entry kind, verb), e.g. ("policy-signed", "signed")

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX = 80
NAME_MAX = 200
TEXT_MAX = 4000

# ISO 3166-1 alpha-2 (249 assigned codes), plus the two codes ISO 3166 reserves exceptionally
# for bodies that issue policy: "EU" (the European Union, the AI Act) and "UN" (the United Nations).
COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW EU UN
    """.split()  # noqa: SIM905 - a block of codes reads better than 250 quoted strings
)

# Years 1800–2099; months 01–12; days within the month's length (29 for February: the
# parser checks leap years, which a regular expression should not try to).
DATE_PATTERN = (
    r"^(18|19|20)\d{2}(-((0[13578]|1[02])(-(0[1-9]|[12]\d|3[01]))?"
    r"|(0[469]|11)(-(0[1-9]|[12]\d|30))?|02(-(0[1-9]|1\d|2\d))?))?$"
)
PRECISIONS = ("year", "month", "day")
_PRECISION_BY_LENGTH = {4: "year", 7: "month", 10: "day"}
YEAR_MIN, YEAR_MAX = 1800, 2099


def date_precision(value: str) -> str:
    """Precision of an ISO date string that may stop at the year or month."""
    return _PRECISION_BY_LENGTH[len(value)]


def period_start(value: str) -> str:
    """The first day of the period a precision date names: "2025-05" → "2025-05-01"."""
    return value + "-01-01"[len(value) - 4 :] if len(value) < 10 else value


def period_end(value: str) -> str:
    """The last day of the period a precision date names: "2025-02" → "2025-02-28"."""
    if len(value) == 10:
        return value
    year = int(value[:4])
    month = int(value[5:7]) if len(value) == 7 else 12
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return f"{year:04d}-{month:02d}-{last:02d}"


def parse_precision_date(value: str, strict_calendar: bool = True) -> str:
    """Validate ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and return it unchanged.

    ``strict_calendar=False`` lets a query bound name 29 February of any year, as the
    documented pattern does. Raises ValueError with a sentence a fixture author can act on.
    """
    if not re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value):  # ASCII digits: "٢٠٢٥" is not a year here
        raise ValueError("must be a date as YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(value[:4])
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValueError(f"year must be between {YEAR_MIN} and {YEAR_MAX}")
    if not re.fullmatch(DATE_PATTERN, value, re.ASCII):
        raise ValueError("is not a calendar date (month or day out of range)")
    parts = [int(p) for p in value.split("-")]
    if not strict_calendar:
        return value
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise ValueError(f"is not a calendar date ({exc})") from None
    return value


class Slug(fields.String):
    """A stable, human-readable id: lowercase letters, digits and single hyphens."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            validate=[
                validate.Length(min=1, max=SLUG_MAX),
                validate.Regexp(SLUG_PATTERN, error="must be a slug like 'deepseek-r1'"),
            ],
            metadata={"pattern": SLUG_PATTERN, **kwargs.pop("metadata", {})},
            **kwargs,
        )


class Ref(Slug):
    """The id of another record; ``target`` names the collection it must resolve in."""

    def __init__(self, target: str, **kwargs: Any) -> None:
        self.target = target
        metadata = {"x-references": target, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)


class PrecisionDate(fields.String):
    """A date known to the year, month or day: ``2017``, ``2017-07`` or ``2017-07-20``."""

    strict_calendar = True

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": DATE_PATTERN, "example": "2025-01-20", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, (dt.date, int)) and not isinstance(value, bool):
            raise ValidationError("must be a quoted string (YAML would read it as a number/date)")
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_precision_date(text, self.strict_calendar)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class DateBound(PrecisionDate):
    """A date used as a query bound: checked against the documented pattern only.

    No example is attached: the docs page would fill it into "Try it out" as a filter.
    """

    strict_calendar = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metadata = {k: v for k, v in self.metadata.items() if k != "example"}


class Country(fields.String):
    """An ISO 3166-1 alpha-2 country code (``CN``, ``US``), or ``EU`` or ``UN``."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": "^[A-Z]{2}$", "example": "CN", "enum_name": "Country", **kwargs.pop("metadata", {})}
        super().__init__(
            validate=validate.OneOf(sorted(COUNTRY_CODES), error="must be an ISO 3166-1 alpha-2 code"),
            metadata=metadata,
            **kwargs,
        )


# Campaign and click tracking in a query string: the same page under many URLs defeats the unique-URL check.
TRACKING_PARAMETER = re.compile(r"(?:^|[?&])(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|srsltid)=")


def _untracked(url: str) -> None:
    found = TRACKING_PARAMETER.search(url.partition("#")[0])
    if found:
        raise ValidationError(f"remove the tracking parameter {found.group(1)!r} from the URL")


class HttpsUrl(fields.Url):
    """An absolute https URL without tracking parameters."""

    schemes = frozenset({"https"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(schemes=set(self.schemes), require_tld=True, **kwargs)
        self.validators = [*self.validators, _untracked]


class WebUrl(HttpsUrl):
    """The address of a cited page: https, or http for the pages a site serves only so (many official Chinese sites)."""

    schemes = frozenset({"https", "http"})


def name_field(search_weight: float = 10.0, **kwargs: Any) -> fields.String:
    """A required, non-blank display name: the record's label, searched with the highest weight."""
    metadata = {LABEL: True, SEARCH_WEIGHT: search_weight, **kwargs.pop("metadata", {})}
    return fields.String(required=True, validate=validate.Length(min=1, max=NAME_MAX), metadata=metadata, **kwargs)


def other_name_field(description: str | None = None, max_length: int = NAME_MAX, **kwargs: Any) -> fields.String:
    """An optional second name (short, native): a label, searched below the main name."""
    metadata = {LABEL: True, SEARCH_WEIGHT: 5.0, **({"description": description} if description else {})}
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=max_length), metadata=metadata, **kwargs)


def text_field(**kwargs: Any) -> fields.String:
    """Optional prose (a description or summary), searched with the lowest weight."""
    metadata = {PROSE: True, SEARCH_WEIGHT: 1.0, **kwargs.pop("metadata", {})}
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=TEXT_MAX), metadata=metadata, **kwargs)


def vocabulary_field(max_length: int = 100, search_weight: float | None = None, **kwargs: Any) -> fields.String:
    """Optional free text naming something shared across records (a licence, a city): spelled one way everywhere."""
    metadata = {VOCABULARY: True, **({SEARCH_WEIGHT: search_weight} if search_weight else {}), **kwargs.pop("metadata", {})}
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=max_length), metadata=metadata, **kwargs)


def date_field(
    description: str | None = None, *, starts: bool = False, not_before: tuple[str, ...] = (), timeline: tuple[str, str] | None = None, **kwargs: Any
) -> PrecisionDate:
    """An optional precision date; ``starts`` marks the dates a record exists from, ``not_before`` the dates it
    cannot precede, ``timeline`` its milestone on the timeline (kind, verb)."""
    metadata: dict[str, Any] = {**({"description": description} if description else {}), **kwargs.pop("metadata", {})}
    if timeline:
        metadata[TIMELINE] = timeline
    if starts:
        metadata[STARTS] = True
    if not_before:
        metadata[NOT_BEFORE] = not_before
    kwargs.setdefault("load_default", None)
    kwargs.setdefault("allow_none", True)
    return PrecisionDate(metadata=metadata, **kwargs)


def enum_field(choices: tuple[str, ...], **kwargs: Any) -> fields.String:
    """A string from a controlled vocabulary."""
    return fields.String(validate=validate.OneOf(choices), **kwargs)
