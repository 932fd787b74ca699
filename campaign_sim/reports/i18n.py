"""Every label, caption and sentence of the reports, in English and Traditional Chinese.

``Text(lang)`` looks a message up by key and fills it in; its number formatters follow the
language (amounts of money in 萬, ten thousands, in Chinese). A key missing in one language is a
bug, caught by a test that compares the two catalogues.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["LANGUAGES", "MESSAGES", "Text"]

LANGUAGES = ("en", "zh-TW")

CURRENCY_SYMBOLS = {"TWD": "NT$", "USD": "US$", "EUR": "€", "JPY": "¥", "GBP": "£", "HKD": "HK$"}

_EN: dict[str, str] = {
    # titles and slides
    "title.run": "Campaign simulation",
    "title.compare": "Strategy comparison",
    "title.sweep": "Parameter sweep",
    "title.timeline": "Campaign timeline",
    "title.sensitivity": "Sensitivity analysis",
    "subtitle": "{campaigns} simulated campaigns · seed {seed} · campaign-sim {version} · {date}",
    "slide.headline": "The answer",
    "slide.risk_table": "Risk profile",
    "slide.summary_table": "Key numbers per strategy",
    "slide.assumptions": "Assumptions: priors and their sources",
    "slide.assumptions_more": "Assumptions (continued, {page}/{pages})",
    "slide.method": "Method",
    # headline sentences
    "headline.compare": "{a} beats {b} in {p} of simulated campaigns; median ROI {ma} vs {mb}.",
    "headline.compare_low": (
        "{a} beats {b} in only {p} of simulated campaigns; median ROI {ma} vs {mb}."
    ),
    "headline.run_many": (
        "{best} has the highest median ROI, {m1} against {m2} for {second}; it loses money in "
        "{ploss} of simulated campaigns."
    ),
    "headline.run_one": (
        "{s}: median ROI {m}, with 90% of campaigns between {p5} and {p95}; it loses money in "
        "{ploss} of simulated campaigns."
    ),
    "headline.sweep": "Best plan: {s} at {point}, with {metric} {value} (95% CI {lo} to {hi}).",
    "headline.sweep_limited": (
        "Best plan under {limits}: {s} at {point}, with {metric} {value} (95% CI {lo} to {hi})."
    ),
    "headline.timeline": (
        "{s} pays back in {p} of simulated campaigns (median payback day {day}), against "
        "{p2} for {second}."
    ),
    "headline.sensitivity": (
        "For {s}, the input that moves {metric} the most is {name}: from {lo} at its P10 to "
        "{hi} at its P90."
    ),
    "bullet.mean_diff": (
        "Mean ROI difference {d} (95% CI {lo} to {hi}), paired over {n} campaigns that share "
        "their random draws."
    ),
    "bullet.profit_diff": "Mean profit difference {d} per campaign (95% CI {lo} to {hi}).",
    "bullet.prob_loss": "Probability of a loss: {items}.",
    "bullet.shortfall": (
        "Expected shortfall, the mean profit of the worst 5% of campaigns: {items}."
    ),
    "bullet.outcome": "{s}: 90% of campaigns land between ROI {p5} and {p95}.",
    # charts
    "chart.roi_distribution": "ROI distribution per strategy",
    "chart.exceedance": "Chance of reaching at least a given ROI",
    "chart.risk": "Risk profile",
    "chart.difference": "Paired difference: {a} minus {b}",
    "chart.sweep": "Sweep: {metric} along {axis}",
    "chart.frontier": "Risk-return frontier",
    "chart.heatmap": "{metric} over {x} and {y}: {s}",
    "chart.fan": "Cumulative profit by day: {s}",
    "chart.payback": "Payback day",
    "chart.tornado": "What moves {metric} the most",
    "caption.roi_distribution": (
        "Share of simulated campaigns by ROI (smoothed). Dashed lines: P5 and P95, the "
        "outcome interval where 90% of campaigns land; solid line: median. Black line: "
        "break-even (ROI 0)."
    ),
    "caption.exceedance": (
        "Read up from an ROI on the x-axis: the share of campaigns that do at least that well. "
        "At ROI 0 it is the chance of not losing money."
    ),
    "caption.risk": (
        "Left: probability of a loss, with its 95% CI (estimate interval). Right: value at risk "
        "(loss exceeded by 5% of campaigns) and expected shortfall (mean profit of the worst 5%)."
    ),
    "caption.difference": (
        "Campaign by campaign, with the same random draws for both strategies. Bar: P5 to P95 "
        "of the difference (outcome interval); tick: median; dot and whisker: mean and its 95% "
        "CI (estimate interval)."
    ),
    "caption.sweep": (
        "Line: mean {metric} at each point; band: P5 to P95 over campaigns (outcome interval). "
        "Every point uses the same seed, so the curves are smooth."
    ),
    "caption.frontier": (
        "Each dot is one sweep point and strategy: mean ROI against {risk}. Ringed: efficient "
        "points (no other point has higher return and lower risk). Star: the chosen mix."
    ),
    "caption.heatmap": "Mean {metric} at each combination of the two swept values.",
    "caption.fan": (
        "Bands: P5-P95 and P25-P75 of cumulative profit over campaigns; line: median. Profit "
        "crosses zero on the payback day. Dotted line: end of the campaign window."
    ),
    "caption.payback": (
        "Share of campaigns by the day their cumulative profit first turns positive. "
        "Campaigns that never pay back are counted apart (in the legend). Dotted line: end "
        "of the window."
    ),
    "caption.tornado": (
        "{metric} as each input moves from its P10 (light) to its P90 (dark), the others as "
        "simulated. Widest swings on top."
    ),
    # axes
    "axis.roi": "ROI",
    "axis.density": "share of campaigns (density)",
    "axis.exceed": "share of campaigns with ROI above x",
    "axis.prob_loss": "probability of a loss",
    "axis.money": "profit ({currency})",
    "axis.diff_roi": "ROI difference (percentage points)",
    "axis.diff_profit": "profit difference ({currency})",
    "axis.day": "day of the campaign",
    "axis.cum_profit": "cumulative profit ({currency})",
    "axis.share": "share of campaigns",
    "legend.var": "value at risk (5%)",
    "legend.es": "expected shortfall (worst 5%)",
    "legend.p5_p95": "P5-P95",
    "legend.p25_p75": "P25-P75",
    "legend.median": "median",
    "legend.mean_ci": "mean, 95% CI",
    "legend.efficient": "efficient",
    "legend.chosen": "chosen mix",
    "legend.low": "low value",
    "legend.high": "high value",
    "label.break_even": "break-even",
    "label.never": "never",
    "label.a_better": "{a} better in {p}",
    # table headers
    "col.strategy": "Strategy",
    "col.label": "Label",
    "col.metric": "Metric",
    "col.mean": "Mean",
    "col.ci_low": "95% CI of mean, low",
    "col.ci_high": "95% CI of mean, high",
    "col.mean_ci": "Mean [95% CI]",
    "col.sd": "SD",
    "col.se": "Standard error",
    "col.n": "Campaigns (defined)",
    "col.n_undefined": "Undefined",
    "col.p5": "P5",
    "col.p25": "P25",
    "col.p50": "Median",
    "col.p75": "P75",
    "col.p95": "P95",
    "col.outcome": "P5 – P95 (outcome interval)",
    "col.prob_loss": "P(loss)",
    "col.prob_loss_ci": "P(loss) [95% CI]",
    "col.prob_loss_ci_low": "P(loss) CI low",
    "col.prob_loss_ci_high": "P(loss) CI high",
    "col.roi_target": "ROI target",
    "col.prob_above": "P(ROI > target)",
    "col.prob_above_ci_low": "P(ROI > target) CI low",
    "col.prob_above_ci_high": "P(ROI > target) CI high",
    "col.var": "Value at risk (5%)",
    "col.es": "Expected shortfall (worst 5%)",
    "col.es_se": "Expected shortfall SE",
    "col.campaigns": "Campaigns",
    "col.quantile": "Quantile",
    "col.a": "A",
    "col.b": "B",
    "col.mean_a": "Mean A",
    "col.mean_b": "Mean B",
    "col.diff": "Mean difference A − B",
    "col.diff_se": "SE of difference",
    "col.diff_ci_low": "Difference 95% CI low",
    "col.diff_ci_high": "Difference 95% CI high",
    "col.diff_p5": "Difference P5",
    "col.diff_p50": "Difference median",
    "col.diff_p95": "Difference P95",
    "col.prob_a": "P(A > B)",
    "col.prob_a_ci_low": "P(A > B) CI low",
    "col.prob_a_ci_high": "P(A > B) CI high",
    "col.correlation": "Correlation A, B",
    "col.tier": "Tier",
    "col.platform": "Platform",
    "col.quantity": "Quantity",
    "col.unit": "Unit",
    "col.family": "Distribution",
    "col.parameters": "Parameters",
    "col.median": "Median",
    "col.prior_range": "P5 – P95",
    "col.assumption": "Our assumption",
    "col.sources": "Sources",
    "col.note": "Note",
    "col.origin": "Defined in",
    "col.key": "Item",
    "col.value": "Value",
    "col.conversion_base": "Conversion base",
    "yes": "yes",
    "no": "no",
    "assumption_marker": "our assumption",
    # sheets
    "sheet.summary": "Summary",
    "sheet.risk": "Risk",
    "sheet.percentiles": "Percentiles",
    "sheet.comparison": "Comparison",
    "sheet.assumptions": "Assumptions",
    "sheet.manifest": "Run manifest",
    "sheet.sweep": "Sweep",
    "sheet.frontier": "Frontier",
    "sheet.payback": "Payback",
    "sheet.sensitivity": "Sensitivity",
    # metrics
    "metric.roi": "ROI",
    "metric.roas": "ROAS",
    "metric.profit": "Profit",
    "metric.revenue": "Revenue",
    "metric.cost": "Cost",
    "metric.conversions": "Conversions",
    "metric.engagements": "Engagements",
    "metric.reach": "Reach",
    "metric.cpm": "CPM",
    "metric.cpe": "CPE",
    "metric.cpa": "CPA",
    "metric.creators": "Creators",
    # method slide
    "method.campaigns": "Simulated campaigns: {campaigns} per strategy; seed {seed}.",
    "method.scenario": "Scenario: {name} ({path}), SHA-256 {sha}.",
    "method.version": "campaign-sim {version}, command `{command}`, run {created}.",
    "method.crn": (
        "All strategies share common random numbers: campaign c of each strategy sees the same "
        "product-appeal shock and the same draws where their creators overlap, so differences "
        "between strategies are not noise."
    ),
    "method.outcome": (
        "Outcome interval (P5 - P95): where 90% of campaigns land. This is the risk of a "
        "strategy; more simulated campaigns do not make it narrower."
    ),
    "method.estimate": (
        "Estimate interval (95% CI of a mean or a probability): how precisely the simulation "
        "pinned the number down. It shrinks as the number of simulated campaigns grows."
    ),
    "method.sources": (
        "Every uncertain input is a distribution fitted to published ranges; the assumptions "
        "pages list each one with its sources. Inputs marked as our assumption have no published "
        "figure."
    ),
    "md.charts": "Charts",
    "md.generated": "Generated by campaign-sim {version} from `{folder}`.",
    "md.files": "Files",
    "headline.sweep_none": "None of the {n} plans of the sweep meets {limits}.",
    "headline.timeline_one": (
        "{s} pays back in {p} of simulated campaigns, at a median of day {day} among those."
    ),
    "bullet.sweep_feasible": "{feasible} of {n} plans (point and strategy) meet the limits.",
    "bullet.limit_sure": "{limit}: {value} (95% CI {lo} to {hi}), met across its interval.",
    "bullet.limit_unsure": (
        "{limit}: {value} (95% CI {lo} to {hi}): not met across its interval; more campaigns "
        "would settle it."
    ),
    "bullet.efficient": "{n} of {total} plans are efficient (on the frontier).",
    "bullet.sweep_seed": "{campaigns} simulated campaigns per point and strategy; seed {seed}.",
    "bullet.payback": (
        "{s}: paying campaigns pay back between day {p5} and day {p95} (P5-P95); {never} "
        "never pay back."
    ),
    "bullet.lost": (
        "{s}: {lost} of deliverables lost to the window on average; managers {load} busy."
    ),
    "bullet.drivers": "{s}: shares of the variance of {metric}: {items}.",
    "chart.drivers": "Ranked drivers of {metric}",
    "caption.drivers": (
        "Spearman rank correlation of each input with {metric} over campaigns, with its 95% "
        "CI. Strongest drivers on top."
    ),
    "axis.payback_day": "payback day",
    "axis.spearman": "rank correlation (Spearman)",
    "col.paid_back": "Pays back [95% CI]",
    "col.payback_day": "Payback day: median (P5 – P95)",
    "col.lost_share": "Deliverables lost",
    "col.p50_roi": "Median ROI",
    "col.input": "Input",
    "col.at_low": "At P10",
    "col.at_high": "At P90",
    "col.swing": "Swing",
    "slide.table_sweep": "Efficient plans",
    "slide.table_timeline": "Payback",
    "slide.table_sensitivity": "Widest swings",
    "sheet.points": "Points",
    "sheet.heatmap": "Heatmap",
    "sheet.daily": "Daily series",
    "sheet.swing": "Swing",
    "sheet.sobol": "Sobol indices",
    "sheet.convergence": "Convergence",
    "metric.gross_profit": "Gross profit",
    "metric.payback_day": "Payback day",
    "metric.lost_share": "Deliverables lost",
    "metric.manager_utilisation": "Manager utilisation",
    "method.sweep": (
        "Sweep: {points} points, every one simulated with the same seed (common random "
        "numbers across points, so differences between points are not noise)."
    ),
    "metric.delivered": "Creators who delivered",
    "metric.posted": "Deliverables posted",
    "metric.lost": "Deliverables lost (count)",
    "metric.deliverables": "Deliverables contracted",
    "metric.last_post_day": "Last post day",
    "metric.manager_hours": "Manager hours",
    "title.with_name": "{kind}: {name}",
    "chart.difference_campaigns": "ROI of {a} minus {b}, campaign by campaign",
    "caption.difference_campaigns": (
        "Every simulated campaign's ROI difference (from the saved outcomes): right of zero "
        "{a} does better, left of it {b}. Same random draws for both strategies; the most "
        "extreme 1% of campaigns lie beyond the axis."
    ),
    "slide.comparison_table": "{a} against {b}, campaign by campaign",
    "col.diff_range": "Difference P5 – P95 (outcome interval)",
    "input.aov": "order value (AOV)",
    "input.shock": "shock (product appeal)",
    "input.prior": "{where} {quantity} prior",
    "input.group": "{group}: {quantity} ({aggregate})",
    "quantity.followers": "followers",
    "quantity.engagement_rate": "engagement rate",
    "quantity.reach_rate": "reach rate",
    "quantity.conversion_rate": "conversion rate",
    "quantity.fee": "fee",
    "quantity.overhead": "overhead",
    "quantity.delivered": "delivered",
    "quantity.creators": "creators",
    "quantity.fake_share": "fake share",
    "quantity.delivery_probability": "delivery probability",
    "aggregate.total": "total",
    "aggregate.total_real_audience": "total real audience",
    "aggregate.mean_of_hired_creators": "mean of hired creators",
    "aggregate.share_of_hired_creators": "share of hired creators",
}

_ZH: dict[str, str] = {
    "title.run": "行銷活動模擬",
    "title.compare": "策略比較",
    "title.sweep": "參數掃描",
    "title.timeline": "活動時間軸",
    "title.sensitivity": "敏感度分析",
    "subtitle": "{campaigns} 次模擬活動 · 隨機種子 {seed} · campaign-sim {version} · {date}",
    "slide.headline": "結論",
    "slide.risk_table": "風險概況",
    "slide.summary_table": "各策略關鍵數字",
    "slide.assumptions": "假設：先驗分布與資料來源",
    "slide.assumptions_more": "假設（續，{page}/{pages}）",
    "slide.method": "方法",
    "headline.compare": "{a}在 {p} 的模擬活動中勝過{b}；ROI 中位數 {ma} 對 {mb}。",
    "headline.compare_low": "{a}僅在 {p} 的模擬活動中勝過{b}；ROI 中位數 {ma} 對 {mb}。",
    "headline.run_many": (
        "{best}的 ROI 中位數最高，為 {m1}，{second}為 {m2}；它在 {ploss} 的模擬活動中虧損。"
    ),
    "headline.run_one": (
        "{s}：ROI 中位數 {m}，90% 的活動落在 {p5} 至 {p95} 之間；它在 {ploss} 的模擬活動中虧損。"
    ),
    "headline.sweep": "最佳方案：{s}，{point}，{metric}為 {value}（95% 信賴區間 {lo} 至 {hi}）。",
    "headline.sweep_limited": (
        "在 {limits} 的限制下，最佳方案：{s}，{point}，{metric}為 {value}（95% 信賴區間 {lo} "
        "至 {hi}）。"
    ),
    "headline.timeline": (
        "{s}在 {p} 的模擬活動中回本（回本天數中位數為第 {day} 天），{second}則為 {p2}。"
    ),
    "headline.sensitivity": (
        "對{s}而言，影響{metric}最大的輸入是{name}：從其 P10 時的 {lo} 到 P90 時的 {hi}。"
    ),
    "bullet.mean_diff": (
        "ROI 平均差 {d}（95% 信賴區間 {lo} 至 {hi}），以共用隨機抽樣的 {n} 次活動配對計算。"
    ),
    "bullet.profit_diff": "每次活動利潤平均差 {d}（95% 信賴區間 {lo} 至 {hi}）。",
    "bullet.prob_loss": "虧損機率：{items}。",
    "bullet.shortfall": "預期短缺（最差 5% 活動的平均利潤）：{items}。",
    "bullet.outcome": "{s}：90% 的活動 ROI 落在 {p5} 至 {p95} 之間。",
    "chart.roi_distribution": "各策略的 ROI 分布",
    "chart.exceedance": "達到至少某個 ROI 的機率",
    "chart.risk": "風險概況",
    "chart.difference": "配對差異：{a}減{b}",
    "chart.sweep": "參數掃描：{metric}隨{axis}變化",
    "chart.frontier": "風險報酬效率前緣",
    "chart.heatmap": "{metric}對 {x} 與 {y}：{s}",
    "chart.fan": "每日累積利潤：{s}",
    "chart.payback": "回本天數",
    "chart.tornado": "影響{metric}最大的因素",
    "caption.roi_distribution": (
        "各 ROI 值的模擬活動占比（平滑化）。虛線：P5 與 P95，即 90% 活動所落的結果區間；實線"
        "：中位數。黑線：損益兩平（ROI 為 0）。"
    ),
    "caption.exceedance": (
        "從橫軸的某個 ROI 往上讀：至少達到該 ROI 的活動占比。ROI 為 0 處即為不虧損的機率。"
    ),
    "caption.risk": (
        "左：虧損機率及其 95% 信賴區間（估計區間）。右：風險值（5% 的活動損失超過此值）與"
        "預期短缺（最差 5% 活動的平均利潤）。"
    ),
    "caption.difference": (
        "逐次活動比較，兩策略使用相同的隨機抽樣。長條：差異的 P5 至 P95（結果區間）；"
        "短線：中位數；圓點與誤差線：平均值及其 95% 信賴區間（估計區間）。"
    ),
    "caption.sweep": (
        "線：各點的平均{metric}；色帶：活動間的 P5 至 P95（結果區間）。"
        "每個點使用相同的隨機種子，因此曲線平滑。"
    ),
    "caption.frontier": (
        "每個點是一個掃描點與策略：平均 ROI 對{risk}。圈起者：效率點（沒有其他點報酬更高且"
        "風險更低）。星號：選定的組合。"
    ),
    "caption.heatmap": "兩個掃描參數每種組合下的平均{metric}。",
    "caption.fan": (
        "色帶：活動間累積利潤的 P5-P95 與 P25-P75；線：中位數。利潤轉正之日即回本日。虛線：活"
        "動期間結束。"
    ),
    "caption.payback": (
        "依累積利潤首次轉正的天數統計的活動占比。未回本的活動另外計算（見圖例）。虛線：活動期"
        "間結束。"
    ),
    "caption.tornado": (
        "每個輸入從其 P10（淺色）變到 P90（深色）時的{metric}，其他輸入照常模擬。擺幅最大者在上。"
    ),
    "axis.roi": "ROI",
    "axis.density": "活動占比（密度）",
    "axis.exceed": "ROI 高於 x 的活動占比",
    "axis.prob_loss": "虧損機率",
    "axis.money": "利潤（{currency}）",
    "axis.diff_roi": "ROI 差異（百分點）",
    "axis.diff_profit": "利潤差異（{currency}）",
    "axis.day": "活動第幾天",
    "axis.cum_profit": "累積利潤（{currency}）",
    "axis.share": "活動占比",
    "legend.var": "風險值（5%）",
    "legend.es": "預期短缺（最差 5%）",
    "legend.p5_p95": "P5-P95",
    "legend.p25_p75": "P25-P75",
    "legend.median": "中位數",
    "legend.mean_ci": "平均值，95% 信賴區間",
    "legend.efficient": "效率點",
    "legend.chosen": "選定組合",
    "legend.low": "低值",
    "legend.high": "高值",
    "label.break_even": "損益兩平",
    "label.never": "未回本",
    "label.a_better": "{a}較佳的機率 {p}",
    "col.strategy": "策略",
    "col.label": "名稱",
    "col.metric": "指標",
    "col.mean": "平均值",
    "col.ci_low": "平均值 95% 信賴區間下限",
    "col.ci_high": "平均值 95% 信賴區間上限",
    "col.mean_ci": "平均值 [95% 信賴區間]",
    "col.sd": "標準差",
    "col.se": "標準誤",
    "col.n": "活動數（有定義）",
    "col.n_undefined": "無定義",
    "col.p5": "P5",
    "col.p25": "P25",
    "col.p50": "中位數",
    "col.p75": "P75",
    "col.p95": "P95",
    "col.outcome": "P5 – P95（結果區間）",
    "col.prob_loss": "虧損機率",
    "col.prob_loss_ci": "虧損機率 [95% 信賴區間]",
    "col.prob_loss_ci_low": "虧損機率信賴區間下限",
    "col.prob_loss_ci_high": "虧損機率信賴區間上限",
    "col.roi_target": "ROI 目標",
    "col.prob_above": "ROI 高於目標的機率",
    "col.prob_above_ci_low": "高於目標機率信賴區間下限",
    "col.prob_above_ci_high": "高於目標機率信賴區間上限",
    "col.var": "風險值（5%）",
    "col.es": "預期短缺（最差 5%）",
    "col.es_se": "預期短缺標準誤",
    "col.campaigns": "活動數",
    "col.quantile": "分位",
    "col.a": "A",
    "col.b": "B",
    "col.mean_a": "A 平均值",
    "col.mean_b": "B 平均值",
    "col.diff": "平均差 A − B",
    "col.diff_se": "差異標準誤",
    "col.diff_ci_low": "差異 95% 信賴區間下限",
    "col.diff_ci_high": "差異 95% 信賴區間上限",
    "col.diff_p5": "差異 P5",
    "col.diff_p50": "差異中位數",
    "col.diff_p95": "差異 P95",
    "col.prob_a": "A 勝過 B 的機率",
    "col.prob_a_ci_low": "A 勝過 B 機率信賴區間下限",
    "col.prob_a_ci_high": "A 勝過 B 機率信賴區間上限",
    "col.correlation": "A 與 B 相關係數",
    "col.tier": "層級",
    "col.platform": "平台",
    "col.quantity": "變數",
    "col.unit": "單位",
    "col.family": "分布",
    "col.parameters": "參數",
    "col.median": "中位數",
    "col.prior_range": "P5 – P95",
    "col.assumption": "本工具假設",
    "col.sources": "資料來源",
    "col.note": "說明",
    "col.origin": "定義檔",
    "col.key": "項目",
    "col.value": "值",
    "col.conversion_base": "轉換基準",
    "yes": "是",
    "no": "否",
    "assumption_marker": "本工具假設",
    "sheet.summary": "摘要",
    "sheet.risk": "風險",
    "sheet.percentiles": "百分位數",
    "sheet.comparison": "比較",
    "sheet.assumptions": "假設",
    "sheet.manifest": "執行紀錄",
    "sheet.sweep": "參數掃描",
    "sheet.frontier": "效率前緣",
    "sheet.payback": "回本",
    "sheet.sensitivity": "敏感度",
    "metric.roi": "ROI",
    "metric.roas": "ROAS",
    "metric.profit": "利潤",
    "metric.revenue": "營收",
    "metric.cost": "成本",
    "metric.conversions": "轉換數",
    "metric.engagements": "互動數",
    "metric.reach": "觸及人數",
    "metric.cpm": "CPM",
    "metric.cpe": "CPE",
    "metric.cpa": "CPA",
    "metric.creators": "創作者人數",
    "method.campaigns": "每個策略模擬 {campaigns} 次活動；隨機種子 {seed}。",
    "method.scenario": "情境：{name}（{path}），SHA-256 {sha}。",
    "method.version": "campaign-sim {version}，指令 `{command}`，執行於 {created}。",
    "method.crn": (
        "所有策略共用隨機數：每個策略的第 c 次活動都遇到相同的產品吸引力衝擊，創作者重疊處"
        "也使用相同抽樣，因此策略間的差異不是雜訊。"
    ),
    "method.outcome": (
        "結果區間（P5 - P95）：90% 活動所落的範圍，代表策略的風險；模擬更多次也不會變窄。"
    ),
    "method.estimate": (
        "估計區間（平均值或機率的 95% 信賴區間）：模擬把該數字估得多精確，模擬次數越多越窄。"
    ),
    "method.sources": (
        "每個不確定的輸入都是依公開數據範圍擬合的分布；假設頁列出每一項及其資料來源。"
        "標示為本工具假設者沒有公開數據。"
    ),
    "md.charts": "圖表",
    "md.generated": "由 campaign-sim {version} 依 `{folder}` 產生。",
    "md.files": "檔案",
    "headline.sweep_none": "參數掃描的 {n} 個方案中沒有任何一個符合 {limits}。",
    "headline.timeline_one": "{s}在 {p} 的模擬活動中回本，回本者的回本天數中位數為第 {day} 天。",
    "bullet.sweep_feasible": "{n} 個方案（掃描點與策略）中有 {feasible} 個符合限制。",
    "bullet.limit_sure": "{limit}：{value}（95% 信賴區間 {lo} 至 {hi}），整個區間皆符合。",
    "bullet.limit_unsure": (
        "{limit}：{value}（95% 信賴區間 {lo} 至 {hi}），並非整個區間皆符合；需更多模擬次數確認。"
    ),
    "bullet.efficient": "{total} 個方案中有 {n} 個是效率點（位於效率前緣）。",
    "bullet.sweep_seed": "每個掃描點與策略模擬 {campaigns} 次活動；隨機種子 {seed}。",
    "bullet.payback": (
        "{s}：回本的活動在第 {p5} 至第 {p95} 天之間回本（P5-P95）；{never} 的活動未回本。"
    ),
    "bullet.lost": "{s}：平均 {lost} 的內容因超出活動期間而遺失；經理人忙碌程度 {load}。",
    "bullet.drivers": "{s}：{metric}變異的來源比例：{items}。",
    "chart.drivers": "{metric}的驅動因素排名",
    "caption.drivers": (
        "每個輸入與{metric}在各活動間的 Spearman 等級相關係數及其 95% 信賴區間。最強者在上。"
    ),
    "axis.payback_day": "回本天數",
    "axis.spearman": "等級相關係數（Spearman）",
    "col.paid_back": "回本比例 [95% 信賴區間]",
    "col.payback_day": "回本天數：中位數（P5 – P95）",
    "col.lost_share": "遺失的內容",
    "col.p50_roi": "ROI 中位數",
    "col.input": "輸入",
    "col.at_low": "P10 時",
    "col.at_high": "P90 時",
    "col.swing": "擺幅",
    "slide.table_sweep": "效率方案",
    "slide.table_timeline": "回本",
    "slide.table_sensitivity": "擺幅最大的輸入",
    "sheet.points": "掃描點",
    "sheet.heatmap": "熱圖",
    "sheet.daily": "每日序列",
    "sheet.swing": "擺幅",
    "sheet.sobol": "Sobol 指數",
    "sheet.convergence": "收斂",
    "metric.gross_profit": "毛利",
    "metric.payback_day": "回本天數",
    "metric.lost_share": "遺失的內容",
    "metric.manager_utilisation": "經理人使用率",
    "method.sweep": (
        "參數掃描：{points} 個掃描點，全部使用相同的隨機種子（點與點之間共用隨機數，因此差異"
        "不是雜訊）。"
    ),
    "metric.delivered": "完成交付的創作者人數",
    "metric.posted": "已發布的內容數",
    "metric.lost": "遺失的內容數",
    "metric.deliverables": "簽約內容數",
    "metric.last_post_day": "最後發文日",
    "metric.manager_hours": "經理人工時",
    "title.with_name": "{kind}：{name}",
    "chart.difference_campaigns": "逐次活動的 ROI 差異：{a}減{b}",
    "caption.difference_campaigns": (
        "每次模擬活動的 ROI 差異（取自儲存的活動結果）：零的右側{a}較佳，左側{b}較佳。兩策略"
        "使用相同的隨機抽樣；最極端的 1% 活動在座標範圍外。"
    ),
    "slide.comparison_table": "{a}對{b}，逐次活動比較",
    "col.diff_range": "差異 P5 – P95（結果區間）",
    "input.aov": "客單價（AOV）",
    "input.shock": "衝擊（產品吸引力）",
    "input.prior": "{where} {quantity}先驗",
    "input.group": "{group}：{quantity}（{aggregate}）",
    "quantity.followers": "粉絲數",
    "quantity.engagement_rate": "互動率",
    "quantity.reach_rate": "觸及率",
    "quantity.conversion_rate": "轉換率",
    "quantity.fee": "費用",
    "quantity.overhead": "額外成本",
    "quantity.delivered": "完成交付",
    "quantity.creators": "創作者人數",
    "quantity.fake_share": "假粉比例",
    "quantity.delivery_probability": "交付機率",
    "aggregate.total": "總計",
    "aggregate.total_real_audience": "實際受眾總數",
    "aggregate.mean_of_hired_creators": "受聘創作者平均",
    "aggregate.share_of_hired_creators": "受聘創作者比例",
}

MESSAGES: dict[str, dict[str, str]] = {"en": _EN, "zh-TW": _ZH}


@dataclass(frozen=True)
class Text:
    """Messages and number formats of one language ("en" or "zh-TW")."""

    lang: str = "en"
    currency: str = ""

    def __call__(self, key: str, **values: Any) -> str:
        return MESSAGES[self.lang][key].format(**values)

    def has(self, key: str) -> bool:
        return key in MESSAGES[self.lang]

    @property
    def zh(self) -> bool:
        return self.lang == "zh-TW"

    def list_sep(self) -> str:
        return "、" if self.zh else "; "

    def quantity(self, name: str) -> str:
        """A prior's quantity (``engagement_rate``) in words; unknown ones as they are."""
        key = f"quantity.{name}"
        return self(key) if self.has(key) else name.replace("_", " ")

    def metric(self, name: str) -> str:
        key = f"metric.{name}"
        return self(key) if self.has(key) else name

    # -- numbers -------------------------------------------------------------------------
    def pct(self, value: Any, digits: int = 0) -> str:
        """A fraction as a percentage (0.38 -> "38%")."""
        if not _finite(value):
            return "n/a"
        return _minus(f"{100 * float(value):.{digits}f}%")

    def prob(self, value: Any, digits: int = 0) -> str:
        """A probability as a percentage that never rounds to a false 0% or 100%."""
        if not _finite(value):
            return "n/a"
        p = float(value)
        if p in (0.0, 1.0):
            return f"{100 * p:.0f}%"
        if p < 0.001:
            return "<0.1%"
        if p > 0.999:
            return ">99.9%"
        if p < 0.01 or p > 0.99:
            digits = max(digits, 1)
        return f"{100 * p:.{digits}f}%"

    def points(self, value: Any, digits: int = 1) -> str:
        """A difference of fractions in percentage points, signed."""
        if not _finite(value):
            return "n/a"
        unit = " 個百分點" if self.zh else " pts"
        return _minus(f"{100 * float(value):+.{digits}f}{unit}")

    def money(self, value: Any, signed: bool = False) -> str:
        """An amount of money with the currency's symbol, to the unit."""
        if not _finite(value):
            return "n/a"
        v = float(value)
        symbol = CURRENCY_SYMBOLS.get(self.currency, f"{self.currency} " if self.currency else "")
        sign = "-" if v < 0 else ("+" if signed and v > 0 else "")
        digits = 2 if abs(v) < 100 else 0  # CPE and CPA can be a few dollars
        return f"{sign}{symbol}{abs(v):,.{digits}f}"

    def money_short(self, value: float) -> str:
        """Compact amount for chart axes: 1.2M / 350k, or 萬 and 億 in Chinese."""
        v = float(value)
        sign = "-" if v < 0 else ""
        v = abs(v)
        if self.zh:
            if v >= 1e8:
                return f"{sign}{v / 1e8:,.4g}億"
            if v >= 1e4:
                return f"{sign}{v / 1e4:,.4g}萬"
            return f"{sign}{v:,.0f}"
        if v >= 1e6:
            return f"{sign}{v / 1e6:,.4g}M"
        if v >= 1e3:
            return f"{sign}{v / 1e3:,.4g}k"
        return f"{sign}{v:,.0f}"

    def count(self, value: Any) -> str:
        if not _finite(value):
            return "n/a"
        return f"{float(value):,.0f}"

    def number(self, value: Any, metric: str = "") -> str:
        """A metric's value formatted by its kind: %, money, ratio or count."""
        kind = metric_kind(metric)
        if kind == "fraction":
            return self.pct(value, 1)
        if kind == "money":
            return self.money(value)
        if kind == "ratio":
            return "n/a" if not _finite(value) else f"{float(value):.2f}"
        return self.count(value)


#: How each metric is formatted (Excel number formats follow the same kinds).
METRIC_KINDS = {
    "roi": "fraction",
    "roas": "ratio",
    "profit": "money",
    "revenue": "money",
    "cost": "money",
    "cpm": "money",
    "cpe": "money",
    "cpa": "money",
    "conversions": "count",
    "engagements": "count",
    "reach": "count",
    "creators": "count",
    "gross_profit": "money",
    "payback_day": "count",
    "lost_share": "fraction",
    "manager_utilisation": "fraction",
    "delivered": "count",
    "posted": "count",
    "lost": "count",
    "deliverables": "count",
    "last_post_day": "count",
    "manager_hours": "count",
}


def metric_kind(metric: str) -> str:
    return METRIC_KINDS.get(metric, "count")


_MONEY_WORDS = ("value_at_risk", "shortfall", "budget", "fee", "aov", "gross_profit")


def column_kind(column: str) -> str:
    """How a column of another command's table is formatted, from its name: ``prob_loss``
    -> "prob", ``roi_mean`` -> "fraction", ``profit_p5`` -> "money", ``nano_share`` ->
    "fraction", ``day`` -> "count", anything else -> "number"."""
    name = column.lower().rsplit(".", 1)[-1]  # a swept key path: its last key
    if "prob" in name:
        return "prob"
    if any(word in name for word in _MONEY_WORDS):
        return "money"
    for metric, kind in METRIC_KINDS.items():
        if name == metric or name.startswith(metric + "_"):
            return kind
    if name.endswith(("share", "fraction", "utilisation", "margin", "rate")):
        return "fraction"
    if name in ("day", "days", "campaigns", "n", "point", "rank"):
        return "count"
    return "number"


def _minus(formatted: str) -> str:
    """No "-0%" for a negative value that rounds to zero."""
    if formatted.startswith("-") and not any(ch in "123456789" for ch in formatted):
        return formatted[1:]
    return formatted


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
