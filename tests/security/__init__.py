"""The security suite that stays (issue 15): hostile inputs into every form field, query
parameter and API parameter; the API fuzzed from its OpenAPI description; security headers on
every response type; the Content-Security-Policy checked in Chromium. docs/security.md."""
