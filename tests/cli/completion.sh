#!/bin/sh
# completion.sh MAPQ SOURCE_DIR: the shell completions in completions/.
# - bash: completing words with the completion function as bash calls it
#   (COMP_WORDS, COMP_CWORD): commands, option prefixes, option values
#   with fixed choices, files where FILE operands go;
# - every command and every option that `mapq --help` and `mapq COMMAND
#   --help` print is offered by the bash completion for that command (an
#   option that takes a value with '=', a flag without), appears in the
#   zsh function of that command and is offered by fish for that command
#   (or, without fish, appears in the fish file);
# - `zsh -n` and `fish -n` parse the files, and fish completes
#   `mapq gr` to grep, where those shells are installed.
# Exits 77 (skipped) without bash.
if [ -z "${BASH_VERSION:-}" ]; then
	command -v bash >/dev/null 2>&1 || { echo "SKIP: bash not found"; exit 77; }
	exec bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
M=$1
C=$(cd "$2" && pwd)/completions

# comp WORD...: what the bash completion offers for the last WORD, one per
# line, sorted; bash splits "--opt=value" at '=' (COMP_WORDBREAKS), so
# callers pass "--opt" "=" "value" for that.
comp() {
	(
		. "$C/mapq.bash" || exit 9
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_mapq mapq "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" || exit 8
		printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort
	)
}

# expect NAME WANT WORD...: the completion of WORD... is exactly the lines
# of WANT (sorted here).
expect() {
	local name=$1 want
	want=$(printf '%s\n' $2 | sed '/^$/d' | sort)
	shift 2
	checks=$((checks + 1))
	local got
	got=$(comp "$@") || { fail "$name: the completion function failed ($*)"; return; }
	[ "$got" = "$want" ] || fail "$name: '$*' offers [$(echo $got)], want [$(echo $want)]"
}

# offers NAME ITEM WORD...: the completion of WORD... includes ITEM.
offers() {
	local name=$1 item=$2
	shift 2
	checks=$((checks + 1))
	comp "$@" | grep -qxF -- "$item" || fail "$name: '$*' does not offer $item"
}

# The options a --help text defines: the part of each option line before
# the description (two blanks), e.g. "-e, --regexp=PATTERN" or
# "--color[=WHEN], --colour[=WHEN]"; printed as "--name", "--name=" (takes
# a value), "--name[=" (optional value) or "-x".
help_options() {
	sed -n 's/^ \{1,\}\(-.*\)/\1/p' | sed 's/  .*//' | tr ',' '\n' |
		sed -n 's/^ *\(--[A-Za-z0-9][A-Za-z0-9-]*\)\(\[\{0,1\}=\{0,1\}\).*/\1\2/p
			s/^ *\(-[A-Za-z0-9]\)$/\1/p
			s/^ *\(-[A-Za-z0-9]\) .*/\1/p'
}

# --- mapq itself --------------------------------------------------------
"$M" --help >"$TMP/help" || fail "mapq --help"
commands=$(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\)  .*/\1/p' "$TMP/help")
checks=$((checks + 1))
[ -n "$commands" ] || fail "no commands in mapq --help"
expect commands "$commands" mapq ''
expect "mapq gr" grep mapq gr
expect "mapq s" "slice split stats" mapq s
for o in $(help_options <"$TMP/help"); do
	offers "mapq $o" "$o" mapq -
done

# --- each command's options ---------------------------------------------
have_fish=0
command -v fish >/dev/null 2>&1 && have_fish=1
for cmd in $commands; do
	"$M" "$cmd" --help >"$TMP/help.$cmd" 2>&1 ||
		{ fail "mapq $cmd --help"; continue; }
	help_options <"$TMP/help.$cmd" >"$TMP/opts.$cmd"
	checks=$((checks + 1))
	grep -q -- '^--help$' "$TMP/opts.$cmd" || fail "$cmd: no options parsed from --help"
	comp mapq "$cmd" -- >"$TMP/bash.$cmd"
	comp mapq "$cmd" - >"$TMP/bash-short.$cmd"
	# The zsh function of the command.
	sed -n "/^_mapq_$cmd() {/,/^}/p" "$C/_mapq" >"$TMP/zsh.$cmd"
	checks=$((checks + 1))
	[ -s "$TMP/zsh.$cmd" ] || fail "zsh: no function _mapq_$cmd"
	if [ "$have_fish" = 1 ]; then
		fish --no-config -c "source '$C/mapq.fish'; complete -C'mapq $cmd --'; complete -C'mapq $cmd -'" 2>&1 |
			cut -f1 | sed 's/=.*//' | sort -u >"$TMP/fish.$cmd"
	fi
	# Newline-framed lists, matched in the shell (no process per option).
	nl=$'\n'
	bash_long=$nl$(cat "$TMP/bash.$cmd")$nl
	bash_short=$nl$(cat "$TMP/bash-short.$cmd")$nl
	zsh_fn=$(cat "$TMP/zsh.$cmd")
	fish_all=$nl$(cat "$TMP/fish.$cmd" 2>/dev/null)$nl
	fish_file=$(cat "$C/mapq.fish")
	while read -r o; do
		name=${o%%[[=]*}
		checks=$((checks + 1))
		case $o in
		--*\[=) [[ $bash_long == *"$nl$name$nl"* || $bash_long == *"$nl$name=$nl"* ]] ||
			fail "bash: mapq $cmd $name not offered" ;;
		--*=) [[ $bash_long == *"$nl$o$nl"* ]] ||
			fail "bash: mapq $cmd $o not offered (an option taking a value ends with =)" ;;
		--*) [[ $bash_long == *"$nl$o$nl"* ]] ||
			fail "bash: mapq $cmd $o not offered (or offered with =)" ;;
		-?) [[ $bash_short == *"$nl$o$nl"* ]] ||
			fail "bash: mapq $cmd $o not offered" ;;
		esac
		checks=$((checks + 1))
		case $name in
		--*) re="(^|[^A-Za-z0-9-])$name([^A-Za-z0-9-]|\$)" ;;
		*) re="(^|[^A-Za-z0-9-])$name(\\+|[^A-Za-z0-9+-]|\$)" ;;
		esac
		[[ $zsh_fn =~ $re ]] || fail "zsh: mapq $cmd $name not in _mapq_$cmd"
		checks=$((checks + 1))
		if [ "$have_fish" = 1 ]; then
			[[ $fish_all == *"$nl$name$nl"* ]] || fail "fish: mapq $cmd $name not offered"
		else
			case $name in
			--*) re="-l ${name#--}( |\$)" ;;
			*) re="-s ${name#-}( |\$)" ;;
			esac
			[[ $fish_file =~ $re ]] || fail "fish: $name not in mapq.fish"
		fi
	done <"$TMP/opts.$cmd"
done

# --- words and values ----------------------------------------------------
expect "grep --inc" --include= mapq grep --inc
expect "stats --hist" --histogram mapq stats --hist
presets="syslog apache clf epoch iso"
expect "range --time-format=" "$presets" mapq range --time-format = ''
expect "range --time-format= as one word" "$(printf -- '--time-format=%s ' $presets)" \
	mapq range --time-format=
expect "range --time-format=s" syslog mapq range --time-format = s
expect "range --time-format SPACE" "$presets" mapq range --time-format ''
expect "grep --color=" "never always auto" mapq grep --color = ''
expect "grep --colour=a" "always auto" mapq grep --colour = a
expect "grep --binary-files" "binary text without-match" mapq grep --binary-files ''
expect "grep -C NUM: nothing" "" mapq grep -C ''
expect "no files after -e in bundle" "" mapq grep -ie ''

# Files where FILE operands go: the names ls gives for the same glob.
mkdir "$TMP/files" "$TMP/files/adir"
: >"$TMP/files/alpha.log"
: >"$TMP/files/alpha.zst"
: >"$TMP/files/beta.log"
cd "$TMP/files" || exit 2
files_a=$(ls -d a*)
files_al=$(ls -d al*)
expect "slice FILE" "$files_al" mapq slice al
expect "slice FILE after options" "$files_a" mapq slice -l -10: --align a
expect "stats several FILEs" "$files_al" mapq stats alpha.log al
expect "range FILEs" "$files_al" mapq range --from 2026 alpha.zst al
expect "range FILE after --time-format" "$files_al" mapq range --time-format = syslog al
expect "split FILE" "$files_a" mapq split -n 4 a
expect "compress FILE" "$files_al" mapq compress -L 19 al
expect "compress -o FILE" "$files_al" mapq compress -o al
expect "compress --output=FILE" "$files_al" mapq compress --output = al
expect "grep FILE after the PATTERN" "$files_al" mapq grep -n ERROR al
expect "grep PATTERN is not a file" "" mapq grep al
expect "grep FILE after -e" "$files_al" mapq grep -e ERROR al
expect "grep -f FILE" "$files_al" mapq grep -f al
expect "grep FILE after -rf FILE" "$files_al" mapq grep -rf beta.log al
expect "grep after --" "$files_al" mapq grep -- -v al
expect "grep -C NUM then PATTERN" "" mapq grep -C 2 al
cd - >/dev/null || exit 2

# --- the other shells parse their files ----------------------------------
if command -v zsh >/dev/null 2>&1; then
	checks=$((checks + 1))
	zsh -n "$C/_mapq" || fail "zsh -n _mapq"
else
	echo "note: zsh not installed, _mapq not parsed"
fi
if [ "$have_fish" = 1 ]; then
	checks=$((checks + 1))
	fish --no-config -n "$C/mapq.fish" || fail "fish -n mapq.fish"
	checks=$((checks + 1))
	got=$(fish --no-config -c "source '$C/mapq.fish'; complete -C'mapq gr'" | cut -f1)
	[ "$got" = grep ] || fail "fish: 'mapq gr' offers [$got]"
	checks=$((checks + 1))
	got=$(fish --no-config -c "source '$C/mapq.fish'; complete -C'mapq range --time-format='" |
		cut -f1 | sed 's/^--time-format=//' | sort | tr '\n' ' ')
	[ "$got" = "$(printf '%s\n' $presets | sort | tr '\n' ' ')" ] ||
		fail "fish: --time-format= offers [$got]"
else
	echo "note: fish not installed, mapq.fish not run"
fi

finish
