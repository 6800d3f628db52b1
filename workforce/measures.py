"""The codes of the workforce measures. The measures themselves are ordinary
`scorecard.Measure` rows (group Workforce) with their targets, polarity and
benchmarks; these codes tie them to the formulas that compute them."""

SICKNESS = "sickness-rate"
TURNOVER = "qsw-turnover"
VACANCY = "vacancy-rate"
AGENCY = "agency-rate"
CASELOAD = "average-caseload"

CODES = (SICKNESS, TURNOVER, VACANCY, AGENCY, CASELOAD)
