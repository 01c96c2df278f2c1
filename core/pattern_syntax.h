/*
 * pattern_syntax.h - one reader of PCRE2 pattern syntax for the prefilters
 * that look inside patterns (literal.c, byteclass.c): the items of a
 * pattern's top level one at a time, quantifiers, groups skipped whole,
 * and bracketed classes, skipped or read item by item.
 *
 * Like its users it is conservative: it follows only the syntax whose
 * effect is certain and reports the rest (MAPQ__SYN_STOP, or 0), where the
 * caller gives up; a prefilter that gives up only costs speed, one that
 * misreads a pattern would hide matches.  Not installed; names use mapq__.
 */
#ifndef MAPQ_PATTERN_SYNTAX_H
#define MAPQ_PATTERN_SYNTAX_H

#include <stddef.h>
#include <stdint.h>

/* Flags of the readers. */
enum {
	/* Inside a skipped group, read classes item by item (one not
	 * followed gives up, as mapq__syntax_class_next() does) and give up
	 * at \E as at \Q.  Without it, classes are only skipped. */
	MAPQ__SYNTAX_STRICT = 1u << 0
};

/* What a top-level item is. */
enum mapq__syntax_kind {
	MAPQ__SYN_END,    /* the end of the pattern */
	MAPQ__SYN_STOP,   /* nothing is known past here: '|', an unmatched ')',
	                   * a verb or option setting, a '{' that is not a
	                   * quantifier, a group not followed, '\' at the end
	                   * or before a non-ASCII byte */
	MAPQ__SYN_QUANT,  /* *, +, ?, {n}, {n,}, {n,m}, lazy or possessive */
	MAPQ__SYN_GROUP,  /* a group (capturing, (?:, lookaround...), whole */
	MAPQ__SYN_CLASS,  /* '[': the caller reads the class from there */
	MAPQ__SYN_ANY,    /* '.', '^' or '$' */
	MAPQ__SYN_ESCAPE, /* '\' and an ASCII letter or digit, in `byte` */
	MAPQ__SYN_CHAR    /* a byte that stands for itself, in `byte`: a
	                   * character (any byte, one of UTF-8 included) or
	                   * escaped punctuation */
};

struct mapq__syntax_item {
	enum mapq__syntax_kind kind;
	size_t next;        /* index after the item (MAPQ__SYN_CLASS: of '[') */
	unsigned char byte; /* ESCAPE and CHAR */
	uint64_t min;       /* QUANT: the fewest repeats (capped at 100000) */
	int exact;          /* QUANT: exactly min repeats ({n} or {n,n}) */
};

/* The item at p[i] (i <= n) of the top level of the pattern p[0..n). */
void mapq__syntax_next(const unsigned char *p, size_t n, size_t i,
                       unsigned flags, struct mapq__syntax_item *it);

/*
 * Skip the class at p[i] == '['; the index after its ']', or 0 when it is
 * not followed.  Without MAPQ__SYNTAX_STRICT, only quoting (\Q, \E) and an
 * unclosed [: are not followed; with it, as mapq__syntax_class_next().
 */
size_t mapq__syntax_class_end(const unsigned char *p, size_t n, size_t i,
                              unsigned flags);

/* What an item of a class is. */
enum mapq__class_kind {
	MAPQ__CLASS_CLOSE,  /* the closing ']' */
	MAPQ__CLASS_BYTE,   /* one byte, lo */
	MAPQ__CLASS_RANGE,  /* the bytes lo..hi (lo <= hi) */
	MAPQ__CLASS_POSIX,  /* [:name:] or [:^name:]: posix, negated */
	MAPQ__CLASS_ESCAPE, /* \d \w \s \D \W \S \h \H \v \V, in escape */
	MAPQ__CLASS_WIDE    /* a byte of a multi-byte character, or a range
	                     * up to one */
};

/* The POSIX class names mapq__syntax_class_next() knows, in the order of
 * item.posix: alpha digit alnum xdigit upper lower space blank punct word. */
#define MAPQ__POSIX_CLASSES 10

struct mapq__class_item {
	enum mapq__class_kind kind;
	unsigned lo, hi;      /* BYTE, RANGE */
	int posix;            /* POSIX: the name's index */
	int negated;          /* POSIX */
	unsigned char escape; /* ESCAPE */
};

/* A class read item by item. */
struct mapq__class_reader {
	const unsigned char *p;
	size_t n;
	size_t i;    /* the next item; after CLOSE, the index after ']' */
	int first;   /* a ']' here is a character */
	int negated; /* the class is [^...] */
};

/* Start reading the class at p[i] == '['. */
void mapq__syntax_class_begin(struct mapq__class_reader *r,
                              const unsigned char *p, size_t n, size_t i);

/*
 * The next item into *it: 1, or 0 when the syntax is not followed here (a
 * collating element [. .] or [= =], an unknown POSIX name, an escape with
 * an argument or that stands for a class in a range, a reversed range, no
 * closing ']').  After MAPQ__CLASS_CLOSE, r->i is past the class.
 */
int mapq__syntax_class_next(struct mapq__class_reader *r,
                            struct mapq__class_item *it);

/* The byte of an escape that stands for one control character (\t \r \f
 * \e \a), or -1. */
int mapq__syntax_escape_byte(unsigned char e);

#endif /* MAPQ_PATTERN_SYNTAX_H */
