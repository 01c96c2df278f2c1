# bash completion for mapq(1)                               -*- shell-script -*-
#
# Installed as <datadir>/bash-completion/completions/mapq, where the
# bash-completion package loads it on demand; without that package,
# `source` this file from ~/.bashrc.  It needs nothing from
# bash-completion: it uses its _filedir when present, compgen otherwise.

# _mapq_long CMD: the long options of CMD, one per line; an option that
# takes a value ends with '='.
_mapq_long()
{
	case $1 in
	grep)
		printf '%s\n' --regexp= --file= --fixed-strings --perl-regexp \
			--extended-regexp --basic-regexp --ignore-case --smart-case \
			--word-regexp --line-regexp --invert-match --count \
			--files-with-matches --files-without-match --only-matching \
			--quiet --silent --no-messages --line-number --byte-offset \
			--with-filename --no-filename --max-count= --after-context= \
			--before-context= --context= --group-separator= \
			--no-group-separator --color= --colour= --label= --initial-tab \
			--null --json --stats --line-buffered --null-data --text \
			--binary-files= --recursive --dereference-recursive --include= \
			--exclude= --exclude-dir= --bytes= --lines= --no-decompress \
			--threads= --progress --no-progress --help --version
		;;
	range)
		printf '%s\n' --from= --to= --field= --delimiter= --key-regex= \
			--time-format= --year= --slack= --since= --count --offsets \
			--check --no-decompress --help --version
		;;
	slice)
		printf '%s\n' --bytes= --lines= --align --no-decompress --help \
			--version
		;;
	split)
		printf '%s\n' --number= --lines --no-decompress --help --version
		;;
	stats)
		printf '%s\n' --bytes= --lines= --json --histogram --human-readable \
			--top= --no-decompress --threads= --progress --no-progress \
			--help --version
		;;
	compress)
		printf '%s\n' --frame-size= --align --level= --threads= --output= \
			--no-decompress --progress --no-progress --help --version
		;;
	*)
		printf '%s\n' --help --version
		;;
	esac
}

# _mapq_short CMD: the short options of CMD.
_mapq_short()
{
	case $1 in
	grep) echo '-e -f -F -P -E -G -i -S -w -x -v -c -l -L -o -q -s -n -b -H -h
		-m -A -B -C -T -Z -z -a -I -r -R -j -V' ;;
	range) echo '-c -d -h -V' ;;
	slice) echo '-b -l -h -V' ;;
	split) echo '-n -h -V' ;;
	stats) echo '-b -l -j -H -h -V' ;;
	compress) echo '-L -j -o -h -V' ;;
	*) echo '-h -V' ;;
	esac
}

# _mapq_value CMD OPTION: what the value of OPTION is ("file", "dir",
# "text", "choice WORD..."), or nothing when OPTION takes no value.
_mapq_value()
{
	case $1:$2 in
	grep:-f | grep:--file | compress:-o | compress:--output)
		echo file ;;
	grep:--color | grep:--colour)
		echo 'choice never always auto' ;;
	grep:--binary-files)
		echo 'choice binary text without-match' ;;
	range:--time-format)
		echo 'choice syslog apache clf epoch iso' ;;
	grep:-e | grep:--regexp | grep:-m | grep:--max-count | grep:-A | \
	grep:--after-context | grep:-B | grep:--before-context | grep:-C | \
	grep:--context | grep:--group-separator | grep:--label | \
	grep:--include | grep:--exclude | grep:--exclude-dir | grep:--bytes | \
	grep:--lines | grep:-j | grep:--threads | \
	range:--from | range:--to | range:--field | range:-d | \
	range:--delimiter | range:--key-regex | range:--year | range:--slack | \
	range:--since | \
	slice:-b | slice:--bytes | slice:-l | slice:--lines | \
	split:-n | split:--number | \
	stats:-b | stats:--bytes | stats:-l | stats:--lines | stats:-j | \
	stats:--threads | stats:--top | \
	compress:--frame-size | compress:-L | compress:--level | compress:-j | \
	compress:--threads)
		echo text ;;
	esac
}

# _mapq_bundle CMD WORD: for short options WORD (-rnC, -C2, -e):
# "next" when its last option takes a value from the next word, "in" when
# an option in it takes the rest of WORD as its value, nothing otherwise;
# then the letter of that option.
_mapq_bundle()
{
	local i c
	for ((i = 1; i < ${#2}; i++)); do
		c=${2:i:1}
		if [ -n "$(_mapq_value "$1" "-$c")" ]; then
			if ((i + 1 < ${#2})); then echo "in $c"; else echo "next $c"; fi
			return
		fi
	done
}

# _mapq_files [dirs]: files (or directories only) matching $cur.
_mapq_files()
{
	if declare -F _filedir >/dev/null; then
		if [ "${1-}" = dirs ]; then _filedir -d; else _filedir; fi
		return
	fi
	local IFS=$'\n'
	if [ "${1-}" = dirs ]; then
		COMPREPLY+=($(compgen -d -- "$cur"))
	else
		COMPREPLY+=($(compgen -f -- "$cur"))
	fi
	compopt -o filenames 2>/dev/null
}

# _mapq_complete_value KIND...: complete $cur as a value of that kind.
_mapq_complete_value()
{
	case $1 in
	file) _mapq_files ;;
	dir) _mapq_files dirs ;;
	choice)
		shift
		COMPREPLY+=($(compgen -W "$*" -- "$cur"))
		;;
	esac
}

_mapq()
{
	local cur words cword i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}

	# Rejoin "--opt" "=" "value", which bash splits at '=' (it is in
	# COMP_WORDBREAKS), into "--opt=value"; $split says that bash replaces
	# only the text after '='.
	local split=0
	words=()
	cword=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		if [ "${COMP_WORDS[i]}" = = ] && ((i > 0)) &&
			[[ ${COMP_WORDS[i - 1]} == --* ]]; then
			words[${#words[@]} - 1]+==
			((i == COMP_CWORD)) && cword=$((${#words[@]} - 1)) split=1
			if ((i + 1 < ${#COMP_WORDS[@]})); then
				i=$((i + 1))
				words[${#words[@]} - 1]+=${COMP_WORDS[i]}
				((i == COMP_CWORD)) && cword=$((${#words[@]} - 1)) split=1
			fi
			continue
		fi
		words+=("${COMP_WORDS[i]}")
		((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
	done
	local word=${words[cword]-}

	# The command: the first word after "mapq" that is not an option.
	local cmd= cmd_at=0
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} != -* ]]; then
			cmd=${words[i]} cmd_at=$i
			break
		fi
	done
	if [ -z "$cmd" ]; then
		if [[ $word == -* ]]; then
			COMPREPLY=($(compgen -W '-h --help -V --version' -- "$word"))
		else
			COMPREPLY=($(compgen -W 'grep range slice split stats compress' -- "$word"))
		fi
		return 0
	fi

	# Is the word after "--"?  Then it is an operand whatever it looks like.
	local ended=0
	for ((i = cmd_at + 1; i < cword; i++)); do
		[ "${words[i]}" = -- ] && ended=1 && break
	done

	# --opt=value in one word.
	if ((!ended)) && [[ $word == --*=* ]]; then
		local opt=${word%%=*} kind
		kind=$(_mapq_value "$cmd" "$opt")
		if [ -n "$kind" ]; then
			cur=${word#*=}
			_mapq_complete_value $kind
			if ((!split)); then
				# One word for bash too: replies replace all of it.
				COMPREPLY=("${COMPREPLY[@]/#/$opt=}")
			fi
		fi
		return 0
	fi

	# The value of the option in the word before.
	local prev=${words[cword - 1]}
	if ((!ended && cword - 1 > cmd_at)); then
		local kind=
		if [[ $prev == --* && $prev != *=* ]]; then
			kind=$(_mapq_value "$cmd" "$prev")
		elif [[ $prev == -[!-]* ]]; then
			local b
			b=$(_mapq_bundle "$cmd" "$prev")
			[ "${b% *}" = next ] && kind=$(_mapq_value "$cmd" "-${b#* }")
		fi
		if [ -n "$kind" ]; then
			cur=$word
			_mapq_complete_value $kind
			return 0
		fi
	fi

	if ((!ended)) && [[ $word == -* ]]; then
		local opts
		if [[ $word == --* ]]; then
			opts=$(_mapq_long "$cmd")
		else
			opts="$(_mapq_short "$cmd") $(_mapq_long "$cmd")"
		fi
		COMPREPLY=($(compgen -W "$opts" -- "$word"))
		if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
			compopt -o nospace 2>/dev/null
		fi
		return 0
	fi

	# An operand.  grep's first operand is its PATTERN unless -e or -f gave
	# one: nothing to complete there.
	if [ "$cmd" = grep ]; then
		local operands=0 patterns=0 w b
		ended=0
		for ((i = cmd_at + 1; i < cword; i++)); do
			w=${words[i]}
			if ((ended)); then
				operands=$((operands + 1))
				continue
			fi
			case $w in
			--) ended=1 ;;
			--regexp | --file) patterns=1 && i=$((i + 1)) ;;
			--regexp=* | --file=*) patterns=1 ;;
			--*=*) ;;
			--*) [ -n "$(_mapq_value grep "$w")" ] && i=$((i + 1)) ;;
			-?*)
				b=$(_mapq_bundle grep "$w")
				case ${b#* } in e | f) patterns=1 ;; esac
				[ "${b% *}" = next ] && i=$((i + 1))
				;;
			*) operands=$((operands + 1)) ;;
			esac
		done
		((operands == 0 && !patterns)) && return 0
	fi
	cur=$word
	_mapq_files
	return 0
}

complete -F _mapq mapq
