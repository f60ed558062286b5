"""Field types shared by every record schema: slugs, precision dates, countries, URLs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import ValidationError, fields, validate

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


def parse_precision_date(value: str, strict_calendar: bool = True) -> str:
    """Validate ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and return it unchanged.

    ``strict_calendar=False`` lets a query bound name 29 February of any year, as the
    documented pattern does. Raises ValueError with a sentence a fixture author can act on.
    """
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise ValueError("must be a date as YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(value[:4])
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValueError(f"year must be between {YEAR_MIN} and {YEAR_MAX}")
    if not re.fullmatch(DATE_PATTERN, value):
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
            metadata={"pattern": SLUG_PATTERN, "example": "deepseek-r1", **kwargs.pop("metadata", {})},
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
    """A date used as a query bound: checked against the documented pattern only."""

    strict_calendar = False


class Country(fields.String):
    """An ISO 3166-1 alpha-2 country code (``CN``, ``US``), or ``EU`` or ``UN``."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": "^[A-Z]{2}$", "example": "CN", **kwargs.pop("metadata", {})}
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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(schemes={"https"}, require_tld=True, **kwargs)
        self.validators = [*self.validators, _untracked]


def name_field(**kwargs: Any) -> fields.String:
    """A required, non-blank display name."""
    return fields.String(required=True, validate=validate.Length(min=1, max=NAME_MAX), **kwargs)


def text_field(**kwargs: Any) -> fields.String:
    """Optional prose (a description or summary)."""
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=TEXT_MAX), **kwargs)


def enum_field(choices: tuple[str, ...], **kwargs: Any) -> fields.String:
    """A string from a controlled vocabulary."""
    return fields.String(validate=validate.OneOf(choices), **kwargs)
