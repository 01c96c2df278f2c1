#!/usr/bin/env bash
# Usage errors of every command, in the one form mapq(1) DIAGNOSTICS gives:
# exactly two lines on stderr, "mapq COMMAND: message" and
# "Try 'mapq COMMAND --help' for more information.", nothing on stdout,
# exit status 2.  Every option that takes a value is given a bad value and
# no value; unknown options, wrong operand counts and options that exclude
# each other too.  And --version on every command prints what
# `mapq --version` prints.
# Usage: usage.sh MAPQ
. "$(dirname "$0")/lib.sh"
M=$1
case $M in /*) ;; */*) M=$PWD/$M ;; esac
cd "$TMP" || exit 2
printf 'a\nb\n' >f

# usage CMD ARGS...: the command line must be refused as a usage error of
# CMD ("" for the top level).  Standard input is an empty file, so that
# a command line that is accepted by mistake ends at once.
usage() {
	local cmd=$1
	shift
	local name="mapq${cmd:+ $cmd}"
	checks=$((checks + 1))
	"$M" ${cmd:+"$cmd"} "$@" </dev/null >out 2>err
	local st=$? what="$name $*"
	if [ "$st" -ne 2 ]; then
		fail "$what: exit status $st, want 2"
	elif [ -s out ]; then
		fail "$what: output on stdout: $(head -c 100 out)"
	elif [ "$(wc -l <err)" -ne 2 ]; then
		fail "$what: stderr is not two lines: $(cat err)"
	elif ! head -n 1 err | grep -q "^$name: [^ ]"; then
		fail "$what: first line is not '$name: message': $(head -n 1 err)"
	elif [ "$(sed -n 2p err)" != "Try '$name --help' for more information." ]; then
		fail "$what: second line: $(sed -n 2p err)"
	fi
}

# ---- the top level --------------------------------------------------------
usage ""
usage "" --frob
usage "" -x
usage "" frob
usage "" --

# ---- every command: unknown options ---------------------------------------
for c in grep range slice split stats compress; do
	usage "$c" --frob
	usage "$c" --frob=1
	usage "$c" -%
	usage "$c" --help=x
	usage "$c" --version=x
done

# ---- grep -----------------------------------------------------------------
usage grep
for o in -e -f -m -A -B -C --regexp --file --max-count --after-context \
	--before-context --context --label --binary-files --include --exclude \
	--exclude-dir --bytes --lines --threads -j --group-separator; do
	usage grep "$o"
done
for o in -m -A -B -C; do
	usage grep "$o" x a f
	usage grep "$o" '' a f
done
usage grep -A -1 a f
usage grep -m 1x a f
usage grep --color=sometimes a f
usage grep --colour=x a f
usage grep --binary-files=maybe a f
usage grep --bytes=x a f
usage grep --bytes=1:2:3 a f
usage grep --bytes=99999999999999999999999 a f
usage grep --lines=0 a f
usage grep --lines=x a f
for j in x -1 257 99999 1.5 '' ' 2'; do
	usage grep -j "$j" a f
	usage grep --threads="$j" a f
done
usage grep -1234567890123456789012 a f
usage grep -E -F a f
usage grep -P -G a f
usage grep -z --lines=1:2 a f
for o in -c -l -L -q; do
	usage grep --json "$o" a f
done
usage grep --count=1 a f
# A pattern that does not compile is a bad value of the command line.
usage grep '(' f
usage grep -e a -e 'b[' f

# ---- range ----------------------------------------------------------------
# (mapq-range(1); range takes several files, so no operand count.)
usage range
usage range f
for o in --from --to --field -d --delimiter --key-regex --time-format \
	--year --slack; do
	usage range "$o"
done
usage range --from a --field 0 f
usage range --from a --field x f
usage range --from a --field -1 f
usage range --from a --field 1 -d ab f
usage range --from a --key-regex '(' f
usage range --from a --slack x f
usage range --from a --year x f
usage range --from a --time-format '%Q' f
usage range --since x f

# ---- slice ----------------------------------------------------------------
for o in -b -l --bytes --lines; do
	usage slice "$o"
done
for r in x 1:x 1:2:3 :+-1 99999999999999999999999 1Q; do
	usage slice -b "$r" f
	usage stats -b "$r" f
done
for r in 0 x 0:5 1:x -0 1K; do
	usage slice -l "$r" f
	usage stats -l "$r" f
done
usage slice --align=1 f

# ---- split ----------------------------------------------------------------
usage split
usage split f
usage split -n
usage split --number
for n in 0 x -1 1.5 '' 99999999999999999999 ' 2'; do
	usage split -n "$n" f
done
usage split -n 2 f f
usage split -n 2 --lines=1 f

# ---- stats ----------------------------------------------------------------
for o in -b -l -j --bytes --lines --threads --top; do
	usage stats "$o"
done
for j in x -1 257 99999 1.5 ''; do
	usage stats -j "$j" f
done
usage stats -b 1:2 -l 1 f
usage stats -l 1 -l 2 f
for n in 0 x -1 ''; do
	usage stats --histogram --top "$n" f
done
usage stats --top 3 f
usage stats --json --top 3 f
usage stats -H=1 f

# ---- compress -------------------------------------------------------------
for o in -L -j -o --level --threads --output --frame-size; do
	usage compress "$o"
done
for s in 0 x 2G -1 1Q ''; do
	usage compress --frame-size="$s" f
done
for l in x 23 -999999999 1.5 ''; do
	usage compress -L "$l" f
done
for j in x -1 257 ''; do
	usage compress -j "$j" f
done
usage compress -o out.zst f f

# ---- --version, -V: what `mapq --version` prints --------------------------
"$M" --version >want 2>&1 || fail "mapq --version: exit status $?"
grep -Eq '^mapq [0-9]+\.[0-9]+\.[0-9]+$' want || fail "mapq --version: $(cat want)"
for c in grep range slice split stats compress; do
	for v in --version -V; do
		checks=$((checks + 1))
		"$M" "$c" "$v" </dev/null >got 2>err
		st=$?
		if [ "$st" -ne 0 ] || [ -s err ] || ! cmp -s want got; then
			fail "mapq $c $v: status $st, stdout '$(cat got)', stderr '$(cat err)'"
		fi
	done
	checks=$((checks + 1))
	"$M" "$c" --help >help 2>&1
	grep -q -- '--version' help || fail "mapq $c --help does not mention --version"
done
"$M" -V >got 2>&1 && cmp -s want got || fail "mapq -V differs from mapq --version"

# -j is described in the same words by every command that takes it.
for c in grep stats compress; do
	checks=$((checks + 1))
	"$M" "$c" --help | grep -q -- '-j, --threads=N  *use N threads (default, and 0: the online$' ||
		fail "mapq $c --help: -j is not described as everywhere else"
done

finish
