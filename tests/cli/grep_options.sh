#!/usr/bin/env bash
# CLI tests of the GNU grep options of `mapq grep` that pick files and shape
# output: -NUM, -m/-A/-B/-C numbers, -E/-G/-P, -T, --group-separator,
# -I/--binary-files, -R, --include/--exclude/--exclude-dir, and ripgrep's
# -S.  The oracle is GNU grep 3.8, run as `LC_ALL=C.UTF-8 grep -P ARGS`
# (or -E/-F where -P cannot take the arguments) in the same directory:
# stdout bytes, exit status and stderr (with "grep:" read as "mapq:") must
# agree.  Usage errors have mapq's own wording (mapq-grep(1)): there GNU
# grep only has to refuse the same arguments.  -S has no GNU counterpart:
# it is compared with grep -P with or without -i, and with rg -P -S when
# ripgrep is installed.
# Usage: grep_options.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
M=$1
need rg
D=$2
case $M in /*) ;; */*) M=$PWD/$M ;; esac
case $D in /*) ;; *) D=$PWD/$D ;; esac
unset GREP_COLORS GREP_COLOR GREP_OPTIONS NO_COLOR
MQ=$(printf %q "$M")
TQ=$(printf %q "$TMP")
G="LC_ALL=C.UTF-8 grep"
v=$(grep --version | head -n 1)
[ "$v" = "grep (GNU grep) 3.8" ] || echo "note: the oracle is GNU grep 3.8, this is '$v'"

W=$TMP/w
mkdir "$W" && cd "$W" || exit 2
cp "$D/app.log" . || exit 2
printf 'a1\nb\na2\na3\nc\nd\ne\na4\n' >adj.txt
printf 'x\na5\ny\nz\n' >adj2.txt
printf 'a\n\nb\n' >blank.txt
printf 'text one\nnul \0 here\nmore text\n' >bin.txt
printf 'Foo bar\nfoo BAR\nFOO\nfoo\nx\\Sy\nÉcole\nécole\n' >case.txt
seq 1 2000 >nums.txt

# --- the comparison (as in grep.sh) ------------------------------------

. "$CLI_DIR/grep_oracle.sh" || exit 2
# sorted REFOPTS ARGS...: stdout and stderr each compared after sort (grep
# walks directories in readdir order, mapq in name order); the exit
# status is grep's.
sorted() {
	local r=$1 a
	shift
	a=$(q "$@")
	oracle "grep $r $a | sort" \
		"$G $r $a >$TQ/s.ref 2>$TQ/s.referr; s=\$?; sort $TQ/s.ref; sort $TQ/s.referr >&2; exit \$s" \
		"$MQ grep $a >$TQ/s.got 2>$TQ/s.goterr; s=\$?; sort $TQ/s.got; sort $TQ/s.goterr >&2; exit \$s"
}
# refused REGEX ARGS...: GNU grep refuses ARGS (exit 2, nothing on
# stdout); mapq too, with a usage error matching REGEX and the hint.
refused() {
	local re=$1 a
	shift
	a=$(q "$@")
	checks=$((checks + 1))
	(eval "$G $a") >"$TMP/out" 2>/dev/null </dev/null
	local st=$?
	if [ "$st" -ne 2 ] || [ -s "$TMP/out" ]; then
		fail "grep $a: the oracle does not refuse it (status $st)"
	fi
	expect_fail "refused $a" 2 "^mapq grep: $re" "$MQ grep $a </dev/null"
	expect_fail "refused $a (hint)" 2 "^Try 'mapq grep --help'" "$MQ grep $a </dev/null"
}

# --- numbers: -NUM, -m, -A, -B, -C ----------------------------------------

for o in -1 -2 -12 -0 -00001 '-1 -2' '-2 -0' -1n2 -n1 '-C 3 -1' '-1 -C 3' '-1 -A 0' '-A 0 -1' \
	'-1 -B 0 -n' '-e a3 -1' -1e -99999999999999999999 -999999999999999999999 \
	-0000000000000000000000000000001 '-1 --context=0' -c1 -1v -1o -1b; do
	# shellcheck disable=SC2086 # $o is several options
	{
		gp $o a3 adj.txt
		gp $o 'a[14]' adj.txt adj2.txt
	}
done
ref -E -2 -n -e 'a[0-9]' -e y adj.txt adj2.txt
gp -3 --color=always 'a[23]' adj.txt
for m in -1 -0 +2 ' 2' -99999999999999999999999 99999999999999999999999 010 ' -3' +0; do
	gp -m "$m" a adj.txt
	gp -c -m "$m" a adj.txt
	gp -m "$m" -A 1 a adj.txt
done
# Context too large for 64 bits: no limit (it is not "not given").
big=99999999999999999999
for o in "-A $big" "-B $big" "-C $big" "-C $big -B 1" "-A $big -B 0" "--context=$big" \
	"-A +1" "-A ' 1'" "-B -0" "-A 0$big"; do
	eval "gp $o a3 adj.txt"
	eval "gp -n $o 'a[23]' adj.txt adj2.txt"
	eval "gp -c $o a3 adj.txt"
	eval "gp -o $o 'a\\d' adj.txt"
	eval "gp -v $o a adj.txt"
done
refused 'invalid context length argument' -A -1 a adj.txt
refused 'invalid context length argument' -B -99999999999999999999 a adj.txt
refused 'invalid context length argument' -C '1 ' a adj.txt
refused 'invalid context length argument' -9999999999999999999999 a adj.txt
refused 'invalid max count' -m '2 ' a adj.txt
refused 'invalid max count' -m 0x10 a adj.txt
refused 'invalid max count' -m '' a adj.txt

# --- -E, -G, -P (the syntax stays PCRE2's), -F ---------------------------

printf 'a.c\nabc\na+c\n' >dot.txt
for o in -E -G -P -F '-E -E' '-P -P' '-F -F' --extended-regexp --basic-regexp --perl-regexp; do
	# shellcheck disable=SC2086
	{
		ref '' $o a.c dot.txt
		ref '' -c $o 'a.c' dot.txt
	}
done
# The syntax is PCRE2's whatever the letter: compared with grep -P.
for o in -E -G; do
	oracle "$o PCRE2 syntax" "$G -P 'a\\Kc|\\d+' dot.txt nums.txt" "$MQ grep $o 'a\\Kc|\\d+' dot.txt nums.txt"
	oracle "$o -o PCRE2 syntax" "$G -P -o '(?<=a)\\w' dot.txt" "$MQ grep $o -o '(?<=a)\\w' dot.txt"
done
for o in -c -l -L -n -o -v --color=always '-C 1' '-m 1' -h; do
	for m in -E -G -F; do
		# shellcheck disable=SC2086
		ref '' $m $o 'a.c' dot.txt adj.txt
	done
	sorted -E -r $o 'a[0-9]' .
done
for p in '-E -F' '-F -E' '-E -G' '-G -P' '-P -F' '-F -P' '-E -P -F' '--fixed-strings --perl-regexp' \
	'-E --basic-regexp' '-E -F --help'; do
	# shellcheck disable=SC2086
	refused 'conflicting matchers specified' $p a.c dot.txt
done

# --- -T, --group-separator, --no-group-separator -------------------------

printf 'hello\r\nx\n\nhello again\n' >cr.txt
for o in -T '-T -n' '-T -b' '-T -H' '-T -n -b -H' '-T -h -n' '-T -c' '-T -l' '-T -o -b' '-T -o -n -H' \
	'-T -Z -n' '-T -n --color=always' '-T -H -b --color=always' '-T -n -C 1' '-T -n -v' '-T -n -m 2' '-T -q'; do
	# shellcheck disable=SC2086
	{
		gp $o a adj.txt
		gp $o 'a\d' adj.txt adj2.txt
		gp $o '' blank.txt
		gp $o 'hello|^$' cr.txt
	}
done
# The width is that of the file's size: try sizes of 1 to 7 digits.
gp -T -n -b '^(1|9|10|99|100|999|1000|1999)$' nums.txt
gp -T -n -b ERROR app.log
oracle "-T on a pipe" "cat adj.txt | $G -T -n -b a" "cat adj.txt | $MQ grep -T -n -b a"
oracle "-T stdin file" "$G -T -n -b a <adj.txt" "$MQ grep -T -n -b a <adj.txt"
oracle "-T -r" "$G -r -T -n a1 . | sort" "$MQ grep -r -T -n a1 . | sort"
seps=(--group-separator=XX --group-separator= '--group-separator=a b' --group-separator=::
	--no-group-separator '--no-group-separator --group-separator=YY' '--group-separator=YY --no-group-separator')
for s in "${seps[@]}"; do
	read -r -a sv <<<"$s"
	[ "$s" = '--group-separator=a b' ] && sv=("$s")
	for o in '-A 0' '-B 1' -1 '-A 0 -o' '-A 0 -c' '-C 1 -v' '-A 0 --color=always -n' ''; do
		# shellcheck disable=SC2086
		{
			gp "${sv[@]}" $o a adj.txt
			gp "${sv[@]}" $o 'a[1-4]|y' adj.txt adj2.txt
		}
	done
done
# A separator option swallows the next argument, as with getopt in grep.
gp --group-separator -A0 a adj.txt

# --- -I, --binary-files ---------------------------------------------------

# A NUL makes a file binary.  late.bin has its first NUL after 5 MB, past
# GNU grep's first buffer and mapq's first window: both give the file up
# there, the lines printed before stay printed, and the file counts as
# having none selected.  (Cases that select lines near the NUL are left
# out: where the two stop reading differs, buffer against window.)
{
	echo 'hit one'
	yes filler | head -c 5000000
	printf 'x\0y\nhit two\n'
} >late.bin
for o in '' -c -l -L -q -o '-n -v' '-c -v' '-L -v' '-C 1' '-m 1' '--color=always -H' '-n -b -T'; do
	for b in -I --binary-files=binary --binary-files=text '-a -I' '-I --binary-files=binary'; do
		# Without -a or -I, GNU grep -v also takes NUL bytes for line
		# ends in a binary file, which mapq-grep(1) does not promise.
		case "$b $o" in *binary-files=binary*-v*) continue ;; esac
		# shellcheck disable=SC2086
		{
			gp $b $o text bin.txt
			gp $b $o nul bin.txt
			gp $b $o zzz bin.txt
			gp $b $o 'text|a[12]' bin.txt adj.txt
			case " $o " in *' -v '* | *-C* | *-B*) ;; *) gp $b $o 'hit one' late.bin adj.txt ;; esac
		}
	done
done
gp -I -r text .
sorted -P -I -r -c text .
sorted -P -I -r -L text .
oracle "-I stdin pipe" "cat bin.txt | $G -P -I text" "cat bin.txt | $MQ grep -I text"
oracle "-I stdin pipe -c" "cat bin.txt adj.txt | $G -P -I -c a" "cat bin.txt adj.txt | $MQ grep -I -c a"
oracle "-I stdin file -L" "$G -P -I -L text <bin.txt" "$MQ grep -I -L text <bin.txt"
# --binary-files takes the next argument when it has no '='.
gp --binary-files text bin.txt </dev/null
refused 'unknown binary-files type' --binary-files=foo text bin.txt
refused 'unknown binary-files type' --binary-files= text bin.txt
refused 'unknown binary-files type' --binary-files=bin text bin.txt

# --- -R, --include, --exclude, --exclude-dir -------------------------------

# A tree with symbolic links to a file, to a directory outside, to a
# sibling directory (walked twice by -R), to an ancestor (a loop, reported
# by -R as a warning that leaves the exit status alone), and a dangling one
# (an error for -R).  (No FIFO: GNU grep -R blocks on reading one.)
mkdir -p tree/src/deep tree/skip tree/.hid out
printf 'hit a\n' >tree/a.c
printf 'hit b\nmiss\n' >tree/b.h
printf 'hit s\nhit s2\n' >tree/src/s.c
printf 'hit d\n' >tree/src/deep/d.txt
printf 'hit k\n' >tree/skip/k.c
printf 'hit h\n' >tree/.hid/h.c
printf 'hit dot\n' >tree/.dot.c
printf 'miss\n' >tree/src/m.c
printf 'hit out\n' >out/o.txt
ln -s ../out tree/lout
ln -s a.c tree/la.c
ln -s src tree/lsrc
ln -s .. tree/src/up
ln -s ../../src tree/src/deep/loop
ln -s nowhere tree/dangle.c
mkdir -p loose
printf 'hit l\n' >loose/x.c
printf 'hit l\n' >loose/y.h
# The tree without its loops and dangling link, for the modes whose
# stderr would differ only by them.
globs=('' "--include=*.c" "--exclude=*.c" "--include=*.c --exclude=s*" "--exclude=s* --include=*.c"
	"--include=*.c --include=*.txt" "--exclude-dir=src" "--exclude-dir=s*" "--exclude-dir=.*"
	"--exclude-dir=src/" "--exclude-dir=tree/src" "--exclude=.*" "--exclude-dir=up --exclude-dir=loop"
	"--exclude-dir=*" "--exclude=la.c --exclude-dir=lout" "--include=[ab].?" "--exclude=\\a.c"
	"--include=l*")
for r in -r -R; do
	for g in "${globs[@]}"; do
		for o in '' -c -L; do
			# shellcheck disable=SC2086 # $o and $g are several options
			{
				sorted -P $r $o $g hit tree
				[ "$o" = -L ] && continue
				sorted -P $r $o $g hit tree/src tree/a.c loose
				sorted -P $r $o $g hit tree/lsrc tree/la.c tree/lout
			}
		done
	done
	for g in '' "--include=*.c --exclude-dir=s*"; do
		for o in -l -n -h -o -v '-C 1' -Z -s -I '-c -v' '-l -v' '-n -T' --color=always; do
			# shellcheck disable=SC2086
			sorted -P $r $o $g hit tree
		done
	done
done
# Operands: globs match the name given and its suffixes after a slash;
# directories given are skipped by --exclude-dir even without -r, except
# the implicit "." of -r.
for g in --include=*.c --exclude=*.c --exclude=a.c --exclude=tree/a.c --exclude=/a.c --exclude=*/a.c \
	--exclude=t* --exclude=tree --exclude-dir=tree --exclude-dir=src --exclude-dir=tree/src \
	--exclude-dir=. --exclude-dir=.* --exclude-dir=*; do
	for o in '' -R -c -L '-r -c'; do
		# shellcheck disable=SC2086
		{
			sorted -P $o "$g" hit tree/a.c tree/b.h ./tree/a.c tree//a.c
			# (GNU grep -c and -L without -r print a directory as a
			# file without lines, besides the error; mapq only reports
			# the error.)
			[ "$o" = -c ] || [ "$o" = -L ] && continue
			sorted -P $o "$g" hit tree/src tree/src/ tree/lsrc tree
			sorted -P $o "$g" hit . nope.c
		}
	done
done
oracle "-r implicit . excluded" "cd tree/src && $G -r --exclude-dir=. hit | sort" \
	"cd tree/src && $MQ grep -r --exclude-dir=. hit | sort"
oracle "-R implicit ." "cd tree && $G -R --exclude=dangle.c -n hit 2>&1 | sort" \
	"cd tree && $MQ grep -R --exclude=dangle.c -n hit 2>&1 | sed s/^mapq:/grep:/ | sort"
oracle "-R implicit . dangling" "cd tree && $G -R -c hit 2>&1 | sort" \
	"cd tree && $MQ grep -R -c hit 2>&1 | sed s/^mapq:/grep:/ | sort"
oracle "stdin is never excluded" "$G --exclude=* --include=x hit - <tree/a.c" \
	"$MQ grep --exclude=* --include=x hit - <tree/a.c"
# -R wins over -r whatever the order; loops under a loop.
sorted -P -r -R -c hit tree
sorted -P -R -r -c hit tree
sorted -P -R -l hit tree/src/up
sorted -P -R hit tree/src/deep/loop
sorted -P -R -q hit tree
sorted -P -R -q zzz tree
sorted -P -R -s zzz tree

# --- -S, --smart-case -------------------------------------------------------

# ripgrep's rule with its PCRE2 engine: case is ignored unless a pattern
# has an upper-case character, the character after a backslash excepted.
# Expected: grep -P -i for the first list, grep -P for the second.
printf 'Foo bar\nfoo BAR\nFOO\nfoo\nx\\Sy\n\303\211cole\n\303\251cole\nfoo1 \342\205\243\nFOO1 \342\205\263\n' >case.txt
ignoring=(foo 'f\w+' 'foo\S' 'foo\W' '\x46oo' '\D\d' 'bar' '\Bar' $'\303\251cole' 'o\Z' 'x\\s')
keeping=(Foo 'F\w+' '[A-Z]oo' '\p{Lu}oo' BAR $'\303\211cole' 'x\\S' $'\342\205\243')
for ((n = 0; n < ${#ignoring[@]} + ${#keeping[@]}; n++)); do
	if [ "$n" -lt ${#ignoring[@]} ]; then
		p=${ignoring[n]} i=-i
	else
		p=${keeping[n - ${#ignoring[@]}]} i=
	fi
	for o in '' -c -o -n -v -w --color=always -F; do
		r=-P
		if [ "$o" = -F ]; then
			case $p in *\\*) continue ;; esac
			r=
		fi
		oracle "-S $o $p" "$G $r $i $o -- $(q "$p") case.txt" "$MQ grep -S $o -- $(q "$p") case.txt"
	done
	oracle "rg -P -S $p" "rg -P -S --no-filename -N -- $(q "$p") case.txt" "$MQ grep -S -- $(q "$p") case.txt"
done
# -F: every character counts (ripgrep escapes the string first).
oracle "-S -F backslash-S" "$G -F 'x\\S' case.txt" "$MQ grep -S -F 'x\\S' case.txt"
oracle "-S -F backslash-s" "$G -F -i 'X\\s' case.txt" "$MQ grep -S -F 'x\\s' case.txt"
# Several patterns: one upper-case character anywhere keeps the case.
oracle "-S -e foo -e bar" "$G -E -i -e foo -e bar case.txt" "$MQ grep -S -e foo -e bar case.txt"
oracle "-S -i -e foo -e Bar" "$G -E -i -e foo -e Bar case.txt" "$MQ grep -S -i -e foo -e Bar case.txt"
oracle "-S -e foo -e Bar" "$G -E -e foo -e Bar case.txt" "$MQ grep -S -e foo -e Bar case.txt"
printf 'foo\nbar\n' >pl
printf 'foo\nBar\n' >pu
oracle "-S -f lower" "$G -i -f pl case.txt" "$MQ grep -S -f pl case.txt"
oracle "-S -f upper" "$G -f pu case.txt" "$MQ grep -S -f pu case.txt"
# Of -i and -S the last one wins, as in ripgrep.
oracle "-S -i" "$G -P -i FOO case.txt" "$MQ grep -S -i FOO case.txt"
oracle "-i -S" "$G -P FOO case.txt" "$MQ grep -i -S FOO case.txt"
oracle "--smart-case" "$G -P -i -c foo case.txt" "$MQ grep --smart-case -c foo case.txt"
oracle "-S -r" "$G -r -P -i -c 'hit s' tree | sort" "$MQ grep -S -r -c 'hit s' tree | sort"

finish
