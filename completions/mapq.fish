# fish completion for mapq(1).  Installed as
# <datadir>/fish/vendor_completions.d/mapq.fish; elsewhere, copy it to
# ~/.config/fish/completions/.

set -l commands grep range slice split stats compress

# No command yet: the commands and mapq's own options, no files.
complete -c mapq -n "not __fish_seen_subcommand_from $commands" -f
complete -c mapq -n "not __fish_seen_subcommand_from $commands" -a grep -d 'search files for PCRE2 patterns, as grep -P'
complete -c mapq -n "not __fish_seen_subcommand_from $commands" -a range -d 'print a key window of a sorted file'
complete -c mapq -n "not __fish_seen_subcommand_from $commands" -a slice -d 'print byte or line ranges of files'
complete -c mapq -n "not __fish_seen_subcommand_from $commands" -a split -d 'cut a file into line-aligned byte ranges'
complete -c mapq -n "not __fish_seen_subcommand_from $commands" -a stats -d 'count bytes, lines, invalid UTF-8; entropy'
complete -c mapq -n "not __fish_seen_subcommand_from $commands" -a compress -d 'write the zstd seekable format'
complete -c mapq -n "not __fish_seen_subcommand_from $commands" -s h -l help -d 'show help and exit'
complete -c mapq -n "not __fish_seen_subcommand_from $commands" -s V -l version -d 'show the version and exit'

# Every command: --help, -V/--version; -h is --help but for grep.
complete -c mapq -n "__fish_seen_subcommand_from $commands" -l help -d 'show help and exit'
complete -c mapq -n "__fish_seen_subcommand_from $commands" -s V -l version -d 'show the version and exit'
complete -c mapq -n "__fish_seen_subcommand_from range slice split stats compress" -s h -d 'show help and exit'

# grep
set -l g "__fish_seen_subcommand_from grep"
complete -c mapq -n $g -s e -l regexp -x -d 'a pattern (repeatable)'
complete -c mapq -n $g -s f -l file -r -F -d 'patterns from FILE, one per line'
complete -c mapq -n $g -s F -l fixed-strings -d 'patterns are literal strings'
complete -c mapq -n $g -s P -l perl-regexp -d 'PCRE2 syntax (always)'
complete -c mapq -n $g -s E -l extended-regexp -d 'accepted for grep: still PCRE2'
complete -c mapq -n $g -s G -l basic-regexp -d 'accepted for grep: still PCRE2'
complete -c mapq -n $g -s i -l ignore-case -d 'ignore case'
complete -c mapq -n $g -s S -l smart-case -d 'ignore case unless a pattern has upper case'
complete -c mapq -n $g -s w -l word-regexp -d 'match whole words only'
complete -c mapq -n $g -s x -l line-regexp -d 'match whole lines only'
complete -c mapq -n $g -s v -l invert-match -d 'select non-matching lines'
complete -c mapq -n $g -s c -l count -d 'print the number of selected lines'
complete -c mapq -n $g -s l -l files-with-matches -d 'print names of files with a match'
complete -c mapq -n $g -s L -l files-without-match -d 'print names of files without one'
complete -c mapq -n $g -s o -l only-matching -d 'print each match on its own line'
complete -c mapq -n $g -s q -l quiet -d 'print nothing; exit 0 at the first match'
complete -c mapq -n $g -l silent -d 'same as --quiet'
complete -c mapq -n $g -s s -l no-messages -d 'do not report unreadable files'
complete -c mapq -n $g -s n -l line-number -d 'prefix lines with their line number'
complete -c mapq -n $g -s b -l byte-offset -d 'prefix lines with their byte offset'
complete -c mapq -n $g -s H -l with-filename -d 'prefix lines with the file name'
complete -c mapq -n $g -s h -l no-filename -d 'never prefix the file name'
complete -c mapq -n $g -s m -l max-count -x -d 'stop after NUM selected lines'
complete -c mapq -n $g -s A -l after-context -x -d 'NUM lines after each match'
complete -c mapq -n $g -s B -l before-context -x -d 'NUM lines before each match'
complete -c mapq -n $g -s C -l context -x -d 'NUM lines before and after'
complete -c mapq -n $g -l group-separator -x -d 'print SEP between context groups'
complete -c mapq -n $g -l no-group-separator -d 'nothing between context groups'
complete -c mapq -n $g -l color -l colour -f -a 'never always auto' -d 'highlight matches'
complete -c mapq -n $g -l label -x -d 'the name of standard input in output'
complete -c mapq -n $g -s T -l initial-tab -d 'a tab between prefixes and line'
complete -c mapq -n $g -s Z -l null -d 'a NUL byte after file names'
complete -c mapq -n $g -l json -d 'print JSON Lines (as ripgrep)'
complete -c mapq -n $g -l stats -d 'search statistics on stderr'
complete -c mapq -n $g -l line-buffered -d 'flush output after every line'
complete -c mapq -n $g -s z -l null-data -d 'lines end with a NUL byte'
complete -c mapq -n $g -s a -l text -d 'search binary files as text'
complete -c mapq -n $g -s I -d 'skip binary files'
complete -c mapq -n $g -l binary-files -x -a 'binary text without-match' -d 'how to treat binary files'
complete -c mapq -n $g -s r -l recursive -d 'search directories recursively'
complete -c mapq -n $g -s R -l dereference-recursive -d 'recursive, following symbolic links'
complete -c mapq -n $g -l include -x -d 'only files whose name matches GLOB'
complete -c mapq -n $g -l exclude -x -d 'skip files whose name matches GLOB'
complete -c mapq -n $g -l exclude-dir -x -d 'skip directories matching GLOB'
complete -c mapq -n $g -l bytes -x -d 'lines starting in this byte range'
complete -c mapq -n $g -l lines -x -d 'only these lines'
complete -c mapq -n $g -l no-decompress -d 'zstd input as raw bytes'
complete -c mapq -n $g -s j -l threads -x -d 'search with N threads'
complete -c mapq -n $g -l progress -d 'show progress on stderr'
complete -c mapq -n $g -l no-progress -d 'never show progress'

# range
set -l r "__fish_seen_subcommand_from range"
complete -c mapq -n $r -l from -x -d 'first key of the window'
complete -c mapq -n $r -l to -x -d 'end of the window (excluded)'
complete -c mapq -n $r -l field -x -d 'key is field N (1-based)'
complete -c mapq -n $r -s d -l delimiter -x -d 'with --field: every byte C separates'
complete -c mapq -n $r -l key-regex -x -d 'key is the first capture group of RE'
complete -c mapq -n $r -l time-format -x -a 'syslog apache clf epoch iso' -d 'compare keys as times in FMT'
complete -c mapq -n $r -l year -x -d 'year of a year-less time format'
complete -c mapq -n $r -l slack -x -d 'how far out of order lines may be'
complete -c mapq -n $r -l since -x -d 'start of the window as a DURATION'
complete -c mapq -n $r -s c -l count -d 'print the number of lines in the window'
complete -c mapq -n $r -l offsets -d 'print the window byte range START:END'
complete -c mapq -n $r -l check -d 'check that the keys never decrease'
complete -c mapq -n $r -l no-decompress -d 'zstd input as raw bytes'

# slice
set -l s "__fish_seen_subcommand_from slice"
complete -c mapq -n $s -s b -l bytes -x -d 'bytes START:END (0-based, END excluded)'
complete -c mapq -n $s -s l -l lines -x -d 'lines FIRST:LAST (1-based, LAST included)'
complete -c mapq -n $s -l align -d 'a byte range selects whole lines'
complete -c mapq -n $s -l no-decompress -d 'zstd input as raw bytes'

# split
set -l p "__fish_seen_subcommand_from split"
complete -c mapq -n $p -s n -l number -x -d 'how many ranges'
complete -c mapq -n $p -l lines -d 'balance lines instead of bytes'
complete -c mapq -n $p -l no-decompress -d 'zstd input as raw bytes'

# stats
set -l t "__fish_seen_subcommand_from stats"
complete -c mapq -n $t -s b -l bytes -x -d 'measure only these bytes'
complete -c mapq -n $t -s l -l lines -x -d 'measure only these lines'
complete -c mapq -n $t -l json -d 'print JSON Lines'
complete -c mapq -n $t -l histogram -d 'draw the byte histogram'
complete -c mapq -n $t -s H -l human-readable -d 'human-readable sizes'
complete -c mapq -n $t -l top -x -d 'show the top N entries'
complete -c mapq -n $t -l no-decompress -d 'zstd input as raw bytes'
complete -c mapq -n $t -s j -l threads -x -d 'scan with N threads'
complete -c mapq -n $t -l progress -d 'show progress on stderr'
complete -c mapq -n $t -l no-progress -d 'never show progress'

# compress
set -l z "__fish_seen_subcommand_from compress"
complete -c mapq -n $z -l frame-size -x -d 'uncompressed bytes per frame'
complete -c mapq -n $z -l align -d 'frames of whole lines'
complete -c mapq -n $z -s L -l level -x -d 'zstd compression level'
complete -c mapq -n $z -s j -l threads -x -d 'compress N frames at once'
complete -c mapq -n $z -s o -l output -r -F -d 'write to OUTPUT'
complete -c mapq -n $z -l no-decompress -d 'zstd input as raw bytes'
complete -c mapq -n $z -l progress -d 'show progress on stderr'
complete -c mapq -n $z -l no-progress -d 'never show progress'
