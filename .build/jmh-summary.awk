# Turns a JMH result file (-rf csv) into the one `summary:` line every benchmark ends with (README,
# "Benchmarks"): per benchmark, its score in each mode, and p50/p99 where it was sampled.
#   awk -v label=ledger -v load="$(cut -d' ' -f1-3 /proc/loadavg)" -f .build/jmh-summary.awk results.csv
BEGIN { FS = ","; n = 0 }
{ sub(/\r$/, "") }
NR == 1 { next }
{
  for (i = 1; i <= NF; i++) gsub(/^"|"$/, "", $i)
  name = $1; mode = $2; score = $5; unit = $7
  # Secondary results (percentiles, profilers) follow a colon (older JMH: a middle dot).
  secondary = ""
  if (match(name, /[:·]/)) { secondary = substr(name, RSTART + 1); name = substr(name, 1, RSTART - 1) }
  short = name; sub(/^.*\./, "", short)
  if (secondary ~ /(^|·)p0\.(50|99)$/) {
    pct = secondary; sub(/^.*p0\./, "", pct)
    percentiles[short] = percentiles[short] sprintf(" p%s %.3g", pct, score)
    next
  }
  if (secondary != "") next
  if (!(short in modes)) order[n++] = short
  figures[short] = figures[short] sprintf("%s%.4g %s", modes[short]++ ? ", " : "", score, unit)
}
END {
  line = "summary: " label ":"
  for (i = 0; i < n; i++) {
    b = order[i]
    line = line (i ? ";" : "") " " b " " figures[b]
    if (b in percentiles) line = line " (" substr(percentiles[b], 2) ")"
  }
  if (n == 0) line = line " no results"
  if (load != "") line = line "; load average " load
  print line
  exit n == 0
}
