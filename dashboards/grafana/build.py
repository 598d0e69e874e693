#!/usr/bin/env python3
"""Writes the provisioned Grafana dashboards (canary.json, sre.json, executive.json) from one description, so every panel follows the
same conventions: the Prometheus datasource variable, `service`/`team` filters, units on every axis.

Run from this directory: python3 build.py. Panels query only series that exist: the silo's /metrics (HTTP,
Kestrel, ingestion, telemetry, grains, verdicts, deployments, judge latency, DORA delivery) and the series recorded by the SLO rules of GET /v1/services/{name}/prometheus-rules
(slo:*) with the ALERTS series Prometheus keeps for their alerts.
"""
import json
import os

SCHEMA_VERSION = 41  # Grafana 12
DS = {"type": "prometheus", "uid": "${datasource}"}
SLO_FILTER = 'service=~"$service",team=~"$team"'


def variables(extra=(), source="slo:objective:ratio"):
    """The datasource, and service/team filters whose values are the labels of `source`."""
    return {"list": [
        {"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0, "refresh": 1, "options": []},
        {"name": "service", "label": "Service", "type": "query", "datasource": DS,
         "definition": f"label_values({source}, service)",
         "query": {"query": f"label_values({source}, service)", "refId": "service"},
         "includeAll": True, "multi": True, "allValue": ".*", "current": {"text": "All", "value": "$__all"},
         "refresh": 2, "sort": 1, "hide": 0, "options": []},
        {"name": "team", "label": "Team", "type": "query", "datasource": DS,
         "definition": f'label_values({source}{{service=~"$service"}}, team)',
         "query": {"query": f'label_values({source}{{service=~"$service"}}, team)', "refId": "team"},
         "includeAll": True, "multi": True, "allValue": ".*", "current": {"text": "All", "value": "$__all"},
         "refresh": 2, "sort": 1, "hide": 0, "options": []},
        *extra,
    ]}


class Layout:
    def __init__(self):
        self.y = 0
        self.x = 0
        self.row_height = 0
        self.next_id = 1
        self.panels = []

    def row(self, title):
        self.newline()
        self.panels.append({"type": "row", "title": title, "id": self.take_id(), "collapsed": False,
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.y += 1

    def newline(self):
        if self.x > 0:
            self.y += self.row_height
            self.x = 0
            self.row_height = 0

    def take_id(self):
        i = self.next_id
        self.next_id += 1
        return i

    def add(self, panel, w, h):
        if self.x + w > 24:
            self.newline()
        panel["id"] = self.take_id()
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        panel["datasource"] = DS
        self.panels.append(panel)
        self.x += w
        self.row_height = max(self.row_height, h)


def target(expr, legend="", instant=False, ref="A"):
    return {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref, "range": not instant, "instant": instant,
            "editorMode": "code"}


def thresholds(*steps):
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for c, v in steps]}


def timeseries(title, description, targets, unit, steps=None, log=False, threshold_style="off"):
    custom = {"drawStyle": "line", "lineWidth": 2, "fillOpacity": 8, "showPoints": "never", "spanNulls": False,
              "thresholdsStyle": {"mode": threshold_style}}
    if log:
        custom["scaleDistribution"] = {"type": "log", "log": 10}
    return {"type": "timeseries", "title": title, "description": description, "targets": targets,
            "fieldConfig": {"defaults": {"unit": unit, "custom": custom,
                                         "thresholds": steps or thresholds(("green", None))}, "overrides": []},
            "options": {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]},
                        "tooltip": {"mode": "multi", "sort": "desc"}}}


def stat(title, description, targets, unit, steps, mappings=None, decimals=None):
    defaults = {"unit": unit, "thresholds": steps, "mappings": mappings or [], "color": {"mode": "thresholds"}}
    if decimals is not None:
        defaults["decimals"] = decimals
    return {"type": "stat", "title": title, "description": description, "targets": targets,
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "background", "graphMode": "area", "textMode": "value_and_name", "justifyMode": "auto"}}


def dashboard(uid, title, description, tags, layout, extra_variables=(), source="slo:objective:ratio", time_from="now-6h"):
    return {"uid": uid, "title": title, "description": description, "tags": ["verification", *tags],
            "editable": True, "graphTooltip": 1, "timezone": "utc", "refresh": "30s", "schemaVersion": SCHEMA_VERSION,
            "time": {"from": time_from, "to": "now"}, "templating": variables(extra_variables, source),
            "annotations": {"list": []}, "links": [
                {"title": "Verification dashboards", "type": "dashboards", "tags": ["verification"], "asDropdown": True}],
            "panels": layout.panels, "version": 1}


def sre():
    l = Layout()
    l.row("Error budget")
    l.add(stat("Error budget remaining", "1 − error ratio over the SLO period ÷ (1 − target), per SLO; negative: overspent.",
               [target(f"slo:error_budget_remaining:ratio{{{SLO_FILTER}}}", "{{service}} / {{slo}}", instant=True)],
               "percentunit", thresholds(("red", None), ("orange", 0), ("yellow", 0.25), ("green", 0.5)), decimals=1), 8, 6)
    l.add(stat("Time to exhaustion", "Hours until the budget is spent if the 1h burn rate holds: remaining × period ÷ burn rate.",
               [target(f'slo:error_budget_remaining:ratio{{{SLO_FILTER}}} / ignoring(window) '
                       f'(slo:burn_rate:ratio{{{SLO_FILTER},window="1h"}} > 0) * slo:period:seconds{{{SLO_FILTER}}} / 3600',
                       "{{service}} / {{slo}}", instant=True)],
               "h", thresholds(("red", None), ("orange", 24), ("yellow", 72), ("green", 168)), decimals=1), 8, 6)
    l.add(stat("Alerts firing", "Burn-rate alerts of the SLO rules now firing (SloErrorBudgetBurnPage / Ticket).",
               [target(f'count by (service, slo, severity) (ALERTS{{alertname=~"SloErrorBudgetBurn(Page|Ticket)",'
                       f'alertstate="firing",{SLO_FILTER}}})', "{{service}} / {{slo}}: {{severity}}", instant=True)],
               "none", thresholds(("red", None))), 8, 6)
    l.add(timeseries("Budget remaining over time", "The remaining error budget of each SLO over the dashboard's time range.",
                     [target(f"slo:error_budget_remaining:ratio{{{SLO_FILTER}}}", "{{service}} / {{slo}}")],
                     "percentunit", thresholds(("red", None), ("transparent", 0)), threshold_style="line"), 24, 8)
    l.add(timeseries("Budget burn-down as the service computes it",
                     "verification_slo_error_budget_remaining_ratio from the service's /metrics: also for SLOs fed by pushed events "
                     "(POST /v1/slo-events), which the recording rules cannot evaluate. Below 0: overspent.",
                     [target(f"verification_slo_error_budget_remaining_ratio{{{SLO_FILTER}}}", "{{service}} / {{slo}}")],
                     "percentunit", thresholds(("red", None), ("transparent", 0)), threshold_style="line"), 24, 8)
    l.row("Burn rates (thresholds for a 30-day SLO: page 14.4× and 6×, ticket 3× and 1×)")
    l.add(timeseries("Page windows: 1h & 5m (14.4×), 6h & 30m (6×)",
                     "Burn rate = error ratio ÷ (1 − target). Both windows of a pair above its line page (scaled by period ÷ 30d).",
                     [target(f'slo:burn_rate:ratio{{{SLO_FILTER},window=~"5m|1h|30m|6h"}}', "{{service}} / {{slo}} {{window}}")],
                     "x", thresholds(("green", None), ("orange", 6), ("red", 14.4)), log=True, threshold_style="dashed"), 12, 9)
    l.add(timeseries("Ticket windows: 1d & 2h (3×), 3d & 6h (1×)",
                     "Both windows of a pair above its line open a ticket (scaled by period ÷ 30d).",
                     [target(f'slo:burn_rate:ratio{{{SLO_FILTER},window=~"2h|1d|6h|3d"}}', "{{service}} / {{slo}} {{window}}")],
                     "x", thresholds(("green", None), ("yellow", 1), ("orange", 3)), log=True, threshold_style="dashed"), 12, 9)
    l.add(timeseries("Error ratio against the allowed error ratio", "Error ratio over 1h and the budget 1 − target.",
                     [target(f'slo:error_ratio:rate{{{SLO_FILTER},window="1h"}}', "{{service}} / {{slo}} 1h error ratio"),
                      target(f"1 - slo:objective:ratio{{{SLO_FILTER}}}", "{{service}} / {{slo}} allowed", ref="B")],
                     "percentunit"), 24, 8)
    return dashboard("verification-sre", "Verification · SRE", "SLO error budgets, multi-window burn rates and alerts.", ["sre", "slo"], l)


def canary():
    l = Layout()
    l.row("Release gate: SLO burn of the selected services")
    l.add(stat("Gate-relevant alerts", "SLO burn alerts firing now; a PAGE holds every promotion of the service back.",
               [target(f'count by (service, slo, severity) (ALERTS{{alertname=~"SloErrorBudgetBurn(Page|Ticket)",'
                       f'alertstate="firing",{SLO_FILTER}}})', "{{service}} / {{slo}}: {{severity}}", instant=True)],
               "none", thresholds(("red", None))), 12, 5)
    l.add(stat("Budget remaining", "A spent budget (≤ 0 %) closes the release gate under the default policy.",
               [target(f"slo:error_budget_remaining:ratio{{{SLO_FILTER}}}", "{{service}} / {{slo}}", instant=True)],
               "percentunit", thresholds(("red", None), ("orange", 0), ("green", 0.25)), decimals=1), 12, 5)
    l.row("Verdicts")
    l.add(timeseries("Verdicts over time", "Verdicts that changed a deployment's decision, by decision (a new deployment starts PENDING).",
                     [target(f'sum by (decision) (increase(verification_verdicts_total{{service=~"$service"}}[$__rate_interval]))', "{{decision}}")],
                     "short"), 12, 8)
    l.add(stat("Active deployments", "Deployments being verified now, by their current decision.",
               [target(f"sum by (decision) (verification_deployments_active{{{SLO_FILTER}}})", "{{decision}}", instant=True)],
               "none", thresholds(("blue", None))), 12, 8)
    l.add(timeseries("Rollbacks by service", "Deployments completed as ROLLED_BACK in each interval, per service.",
                     [target(f'sum by (service) (increase(verification_deployments_completed_total{{status="ROLLED_BACK",{SLO_FILTER}}}[$__rate_interval]))',
                             "{{service}}")], "short"), 12, 8)
    l.add(timeseries("Judge latency", "Time the judge takes to evaluate a deployment's samples: p50 and p99.",
                     [target("histogram_quantile(0.5, sum by (le) (rate(verification_judge_duration_seconds_bucket[$__rate_interval])))", "p50"),
                      target("histogram_quantile(0.99, sum by (le) (rate(verification_judge_duration_seconds_bucket[$__rate_interval])))", "p99", ref="B")],
                     "s"), 12, 8)
    l.row("Evidence coming in")
    l.add(timeseries("Sample batches and values ingested", "Canary and baseline samples stored per second (HTTP, GraphQL, OTLP, remote write, PromQL pull).",
                     [target("sum(rate(verification_ingest_batches_total[$__rate_interval]))", "batches/s"),
                      target("sum(rate(verification_ingest_values_total[$__rate_interval]))", "values/s", ref="B"),
                      target("sum(rate(verification_ingest_duplicates_total[$__rate_interval]))", "duplicate batches/s", ref="C")],
                     "reqps"), 12, 8)
    l.add(timeseries("Telemetry refused or rejected", "OTLP / remote-write requests refused by status, points rejected, failed PromQL pulls.",
                     [target("sum by (receiver, status) (rate(verification_telemetry_refused_requests_total[$__rate_interval]))", "refused {{receiver}} {{status}}"),
                      target("sum by (receiver) (rate(verification_telemetry_rejected_points_total[$__rate_interval]))", "rejected points {{receiver}}", ref="B"),
                      target("sum(rate(verification_prometheus_pull_failures_total[$__rate_interval]))", "PromQL pull failures", ref="C")],
                     "reqps"), 12, 8)
    l.row("Verdict API")
    l.add(timeseries("Requests by route", "Requests per second by route and status: CD tools polling verdicts, GraphQL, ingestion.",
                     [target('sum by (http_route, http_response_status_code) (rate(http_server_request_duration_seconds_count{http_route!=""}[$__rate_interval]))',
                             "{{http_route}} {{http_response_status_code}}")], "reqps"), 12, 8)
    l.add(timeseries("Latency p95 by route", "95th percentile of request duration per route.",
                     [target('histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{http_route!=""}[$__rate_interval])))',
                             "{{http_route}}")], "s"), 12, 8)
    l.add(timeseries("Live verdict subscriptions", "WebSocket connections open (verdictChanged subscriptions, the UI's live pages).",
                     [target("sum(kestrel_upgraded_connections)", "WebSockets")], "none"), 12, 7)
    l.add(timeseries("Grain activations", "Deployments and services held in memory.",
                     [target("verification_grains_active", "grains")], "none"), 12, 7)
    return dashboard("verification-canary", "Verification · Canary", "Evidence ingestion, verdict API traffic and the SLO release gate.", ["canary"], l)


# DORA level bands (Analysis/Dora/DoraCalculator.cs): colours from low (red) to elite (green).
FREQUENCY_BANDS = thresholds(("red", None), ("orange", 1 / 30), ("yellow", 1 / 7), ("green", 1))
LEAD_TIME_BANDS = thresholds(("green", None), ("yellow", 24), ("orange", 24 * 7), ("red", 24 * 30))
FAILURE_BANDS = thresholds(("green", None), ("yellow", 0.0500001), ("orange", 0.1000001), ("red", 0.1500001))
RECOVERY_BANDS = thresholds(("green", None), ("yellow", 1), ("orange", 24), ("red", 24 * 7))
LEVELS = [{"type": "value", "options": {str(v): {"text": t, "index": v}}} for v, t in ((0, "Low"), (1, "Medium"), (2, "High"), (3, "Elite"))]
DORA = (
    ("Deployment frequency", "verification_delivery_deployment_frequency_per_day", "Deployments per day (elite ≥ 1/day, high ≥ 1/week, medium ≥ 1/month).", "suffix: /day", FREQUENCY_BANDS, 2),
    ("Lead time for changes", "verification_delivery_lead_time_hours", "Median hours from commit to deployment (elite < 1 day, high < 1 week, medium < 1 month).", "h", LEAD_TIME_BANDS, 1),
    ("Change failure rate", "verification_delivery_change_failure_ratio", "Rolled back or incident-causing deployments ÷ deployments (elite ≤ 5 %, high ≤ 10 %, medium ≤ 15 %).", "percentunit", FAILURE_BANDS, 1),
    ("Failed deployment recovery time", "verification_delivery_recovery_time_hours", "Median hours to recover from a failed deployment (elite < 1 h, high < 1 day, medium < 1 week).", "h", RECOVERY_BANDS, 1),
    ("Rework rate", "verification_delivery_rework_ratio", "Unplanned deployments (fixes) ÷ deployments.", "percentunit", thresholds(("green", None), ("yellow", 0.1), ("red", 0.2)), 1),
)
# M5–M10 with the reference levels of KpiTable (api/Verification.Contracts/Contracts/DeliveryKpis.cs): green on the good side.
KPIS = (
    ("M5 Pipeline success rate", "verification_delivery_pipeline_success_ratio", "Succeeded ÷ (succeeded + failed) pipeline runs, cancelled excluded (reference ≥ 90 %).", "percentunit", thresholds(("red", None), ("green", 0.9)), 1),
    ("M6 Time to detect", "verification_delivery_time_to_detect_minutes", "Median minutes from deployment start to its first ROLLBACK verdict (reference ≤ 10 min).", "m", thresholds(("green", None), ("red", 10.0000001)), 1),
    ("M7 Provenance coverage", "verification_delivery_provenance_coverage_ratio", "Deployments with commit, artifact and build known ÷ deployments (reference 100 %).", "percentunit", thresholds(("red", None), ("green", 1)), 1),
    ("M8 Canary SLI delta", "verification_delivery_canary_sli_delta_ratio", "Median over metrics of the median |canary effect| of finished deployments (reference ≤ 10 %).", "percentunit", thresholds(("green", None), ("red", 0.1000001)), 1),
    ("M9 Security gate failure rate", "verification_delivery_security_gate_failure_ratio", "Failed ÷ finished SECURITY pipeline runs (reference ≤ 5 %).", "percentunit", thresholds(("green", None), ("red", 0.0500001)), 1),
    ("M10 Pages per release", "verification_delivery_pages_per_release", "SLO pages and incidents attributed to a promotion within its incident window ÷ promotions (reference ≤ 0.05).", "none", thresholds(("green", None), ("red", 0.0500001)), 2),
)
# Series without a service label are a team's; without service and team, the whole organisation's.
ORG = 'service="",team=""'
TEAMS = 'service="",team!="",team=~"$team"'
SERVICES = 'service!="",service=~"$service",team=~"$team"'


def executive():
    l = Layout()
    l.row("Organisation, last 30 days")
    l.add(stat("Performance level", "The DORA performance level of the whole organisation: Low, Medium, High or Elite.",
               [target(f"verification_delivery_performance_level{{{ORG}}}", "organisation", instant=True)], "none",
               thresholds(("red", None), ("orange", 1), ("yellow", 2), ("green", 3)), mappings=LEVELS), 4, 5)
    for title, metric, description, unit, bands, decimals in DORA:
        l.add(stat(title, description, [target(f"{metric}{{{ORG}}}", "organisation", instant=True)], unit, bands, decimals=decimals), 4, 5)
    l.row("Delivery KPIs M5–M10, last 30 days (threshold: the reference level)")
    for title, metric, description, unit, bands, decimals in KPIS:
        l.add(stat(title, description, [target(f"{metric}{{{ORG}}}", "organisation", instant=True)], unit, bands, decimals=decimals), 4, 5)
    l.row("Weekly trend (each point: the 30-day value averaged over a week)")
    for title, metric, description, unit, bands, decimals in DORA[:4]:
        panel = timeseries(title, description, [target(f"avg_over_time({metric}{{{ORG}}}[1w])", "organisation"),
                                                target(f"avg_over_time({metric}{{{TEAMS}}}[1w])", "{{team}}", ref="B")],
                           unit, bands, threshold_style="area")
        panel["interval"] = "1w"
        l.add(panel, 12, 8)
    l.row("By team")
    l.add(stat("Performance level by team", "DORA performance level per team.",
               [target(f"verification_delivery_performance_level{{{TEAMS}}}", "{{team}}", instant=True)], "none",
               thresholds(("red", None), ("orange", 1), ("yellow", 2), ("green", 3)), mappings=LEVELS), 24, 5)
    for title, metric, description, unit, bands, decimals in DORA:
        l.add(stat(f"{title} by team", description, [target(f"{metric}{{{TEAMS}}}", "{{team}}", instant=True)], unit, bands, decimals=decimals), 12, 6)
    l.row("By service")
    for title, metric, description, unit, bands, decimals in DORA[:4]:
        l.add(stat(f"{title} by service", description, [target(f"{metric}{{{SERVICES}}}", "{{service}} ({{team}})", instant=True)],
                   unit, bands, decimals=decimals), 12, 6)
    return dashboard("verification-executive", "Verification · Executive", "DORA delivery metrics and the delivery KPIs M5–M10 over the last 30 days: organisation, teams, services.",
                     ["executive", "dora"], l, source="verification_delivery_deployments", time_from="now-90d")


for name, build in (("canary", canary), ("sre", sre), ("executive", executive)):
    # Written aside, then renamed: a reader never sees half a file.
    with open(f".{name}.json.tmp", "w", encoding="utf-8") as f:
        json.dump(build(), f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(f".{name}.json.tmp", f"{name}.json")
