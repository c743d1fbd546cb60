/*
 * manifest_xml.h - a reconstructed instrumentation manifest (XML) from a
 * parsed WEVT_TEMPLATE resource.
 *
 * manifest_xml_write renders a wevt_manifest (and, when given, the image's
 * message table) as one well-formed instrumentation manifest in the
 * schema mc.exe reads: per provider its channels, levels, tasks (with
 * their task-scoped opcodes), opcodes, keywords, value and bit maps,
 * templates (data fields with winmeta inType/outType names, count and
 * length attributes, structs) and events, then a localization string
 * table holding every message the manifest refers to.
 *
 * What the resource does not store is not invented: event and provider
 * symbols are left out, templates get ids made from their offsets
 * (tid="T_0x1a8"), strings ids from their message ids
 * (message="$(string.msg_B0000001)"), a channel's type is taken from its
 * name's suffix (".../Operational", "/Admin", "/Analytic", "/Debug") or
 * left out, and a level, task, opcode or channel an event uses without a
 * record in the resource is referred to by its winmeta name when it has
 * one (win:Informational, win:Start, System) and otherwise defined under a
 * made-up name (level_16, task_3, opcode_0_12, channel_20) so that every
 * reference resolves. Message ids the table lacks (or all, when t is
 * NULL) stay referenced and are listed in a comment of the string table.
 * Parse warnings and incomplete providers are noted in comments.
 *
 * Text is escaped for XML (& < > " and, in attributes, tab/CR/LF as
 * character references); invalid UTF-8, and characters XML 1.0 does not
 * allow (C0 controls, U+FFFE, U+FFFF), become U+FFFD. Output depends only
 * on the inputs. The writer never parses: it takes the models.
 */
#ifndef MANIFEST_XML_H
#define MANIFEST_XML_H

#include "format/msgtab.h"
#include "format/wevt.h"

#include <stdio.h>

/* Writes the manifest of m to out. t (nullable) resolves message ids;
 * image_name (nullable; e.g. "kdriver.sys") becomes the providers'
 * resourceFileName and messageFileName. Returns 0, or -1 when a write
 * fails (out's error indicator, a failed flush) or memory for the list of
 * message ids cannot be had; out may then hold part of the document. */
int manifest_xml_write(FILE *out, const wevt_manifest *m, const msgtab *t,
                       const char *image_name);

#endif
