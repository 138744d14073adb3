#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# plot.sh - PNG plots of a `make bench` run with gnuplot, from the .dat files
# scripts/bench/report.py wrote:
#   LABEL-ratio.png               gomalloc / kmalloc time per size (pair, large)
#   LABEL-footprint-TRACE.png     footprint of both over a replay
#
#   scripts/bench/plot.sh DIR LABEL...
set -euo pipefail
dir=$1
shift
for label in "$@"; do
	ratio="$dir/$label-ratio.dat"
	if [ -s "$ratio" ]; then
		gnuplot <<-GP
			set terminal pngcairo size 1000,500
			set output "$dir/$label-ratio.png"
			set title "gomalloc / kmalloc time per alloc+free pair ($label)"
			set logscale x 2
			set format x "%.0b%B"
			set xlabel "object size (bytes)"
			set ylabel "time ratio (< 1: gomalloc faster)"
			set grid
			set key top left
			plot "$ratio" using 1:2 with linespoints title "min of runs", \
			     "$ratio" using 1:3 with linespoints title "median of runs", \
			     1 with lines dashtype 2 lc rgb "black" title "kmalloc"
		GP
	fi
	for series in "$dir/$label"-series-*.dat; do
		[ -s "$series" ] || continue
		trace=${series##*/"$label"-series-}
		trace=${trace%.dat}
		gnuplot <<-GP
			set terminal pngcairo size 1000,500
			set output "$dir/$label-footprint-$trace.png"
			set title "footprint over the replay of $trace ($label)"
			set xlabel "operation"
			set ylabel "MiB"
			set grid
			set key top left
			plot "$series" using 1:3 with lines lw 2 title "gomalloc (pages in spans)", \
			     "$series" using 1:4 with lines lw 2 title "kmalloc (sum of ksize)", \
			     "$series" using 1:2 with lines dashtype 2 title "requested"
		GP
	done
done
