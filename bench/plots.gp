# plots.gp — the benchmark's plots (bench/report.py writes the data).
#
#   gnuplot -e "kind='bars'; data='F.dat'; out='F.png'; ttl='...'; ylab='...'" bench/plots.gp
#
# data: a header line of column names, then one row per category (first
# column its label), one column per series; '-' marks a missing value.
# kind 'bars' draws a clustered histogram, 'lines' one line per series
# over the categories; both draw a dashed line at y = 1 (parity).

set terminal pngcairo size 1100,560 font ",10"
set output out
set datafile missing "-"
set title ttl
set ylabel ylab
set key outside right top
set grid ytics
set yrange [0:*]
ncols = system("head -n 1 " . data . " | wc -w") + 0

if (kind eq 'bars') {
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.85 border -1
	set boxwidth 0.9
	set xtics rotate by -30
	plot for [i = 2:ncols] data using i:xtic(1) title columnheader(i), \
		1 with lines dashtype 2 linecolor rgb "black" notitle
} else {
	set xtics rotate by -30
	set offsets 0.3, 0.3, 0, 0
	plot for [i = 2:ncols] data using 0:i:xtic(1) with linespoints pointtype 7 title columnheader(i), \
		1 with lines dashtype 2 linecolor rgb "black" notitle
}
