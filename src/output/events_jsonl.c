/*
 * events_jsonl.c - the JSON Lines writer of `etwmap events`
 * (events_jsonl.h).
 */
#include "events_jsonl.h"

#include "format/tlg.h"
#include "output/json.h"

static void kv_opt_u64(json_w *w, const char *key, bool present, uint64_t v)
{
    json_key(w, key);
    if (present)
        json_u64(w, v);
    else
        json_null(w);
}

/* Field i as an object, its members nested; returns the index after
 * them. */
static size_t write_field(json_w *w, const cat_field *f, size_t n, size_t i,
                          int depth)
{
    const cat_field *x = &f[i];
    json_obj_begin(w);
    json_kv_str(w, "name", x->name);
    json_kv_str(w, "in_type", x->in_type);
    json_kv_str(w, "out_type", x->out_type);
    if (x->count)
        json_kv_str(w, "count", x->count);
    if (x->length)
        json_kv_str(w, "length", x->length);
    if (x->map)
        json_kv_str(w, "map", x->map);
    size_t next = i + 1;
    if (x->n_members) {
        bool nest = depth + 1 < EVENTS_JSONL_MAX_NESTING;
        if (nest) {
            json_key(w, "fields");
            json_arr_begin(w);
        }
        for (uint16_t m = 0; m < x->n_members && next < n; m++) {
            if (nest) {
                next = write_field(w, f, n, next, depth + 1);
            } else {
                /* too deep to nest: skip the member and its own members */
                size_t end = next + 1;
                for (size_t k = next + 1; k < n && f[k].depth > f[next].depth;
                     k++)
                    end = k + 1;
                next = end;
            }
        }
        if (nest)
            json_arr_end(w);
    }
    json_obj_end(w);
    return next;
}

static void kv_value(json_w *w, const char *key, const cat_value *v)
{
    kv_opt_u64(w, key, v->present, v->value);
}

/* A provider no event is attributed to: the event keys are null. */
static void write_provider(json_w *w, const cat_provider *p, const char *file)
{
    static const char *const null_keys[] = {
        "event_id", "event_version", "event_name", "channel", "level",
        "opcode", "task", "keyword", "fields", "message", "source_rva",
    };
    json_obj_begin(w);
    json_kv_str(w, "file", file);
    json_kv_str(w, "row", "provider");
    json_kv_str(w, "kind", cat_kind_name(p->kind));
    json_kv_str(w, "provider_guid", p->has_guid ? p->guid_text : NULL);
    json_kv_str(w, "provider_name", p->name);
    for (size_t i = 0; i < sizeof null_keys / sizeof *null_keys; i++) {
        json_key(w, null_keys[i]);
        json_null(w);
    }
    json_kv_str(w, "provider_source", p->source);
    json_key(w, "provider_group");
    if (p->has_group)
        json_guid(w, p->group_guid);
    else
        json_null(w);
    json_key(w, "provider_rva");
    if (p->has_source_rva)
        json_hex(w, p->source_rva);
    else
        json_null(w);
    json_obj_end(w);
    json_line_end(w);
}

void events_jsonl_fields(json_w *w, const cat_event *e)
{
    if (!e->fields_known) {
        json_null(w);
        return;
    }
    json_arr_begin(w);
    for (size_t k = 0; k < e->n_fields;)
        k = write_field(w, e->fields, e->n_fields, k, 0);
    json_arr_end(w);
}

static void write_event(json_w *w, const cat_catalog *c, const cat_event *e,
                        const char *file)
{
    const cat_provider *p = cat_event_provider(c, e);
    json_obj_begin(w);
    json_kv_str(w, "file", file);
    json_kv_str(w, "row", "event");
    json_kv_str(w, "kind", cat_kind_name(e->kind));
    json_key(w, "provider_guid");
    if (p && p->has_guid)
        json_str(w, p->guid_text);
    else
        json_null(w);
    json_kv_str(w, "provider_name", p ? p->name : NULL);
    kv_opt_u64(w, "event_id", e->has_id, e->id);
    kv_opt_u64(w, "event_version", e->has_version, e->version);
    json_kv_str(w, "event_name", e->name);
    kv_value(w, "channel", &e->channel);
    kv_value(w, "level", &e->level);
    kv_value(w, "opcode", &e->opcode);
    kv_value(w, "task", &e->task);
    json_key(w, "keyword");
    if (e->has_keyword)
        json_hex(w, e->keyword);
    else
        json_null(w);
    json_key(w, "fields");
    events_jsonl_fields(w, e);
    json_kv_str(w, "message", e->message);
    json_key(w, "source_rva");
    if (e->has_source_rva)
        json_hex(w, e->source_rva);
    else
        json_null(w);

    json_kv_str(w, "channel_name", e->channel.name);
    json_kv_str(w, "level_name", e->level.name);
    json_kv_str(w, "opcode_name", e->opcode.name);
    json_kv_str(w, "task_name", e->task.name);
    json_key(w, "keyword_names");
    json_arr_begin(w);
    for (size_t k = 0; k < e->n_keyword_names; k++)
        json_str(w, e->keyword_names[k]);
    json_arr_end(w);
    switch (e->kind) {
    case CAT_KIND_MANIFEST:
        json_key(w, "message_id");
        if (e->message_id != WEVT_NO_MESSAGE)
            json_hex(w, e->message_id);
        else
            json_null(w);
        break;
    case CAT_KIND_TRACELOGGING:
        json_kv_str(w, "blob_type", tlg_blob_type_name(e->blob_type));
        json_kv_u64(w, "tags", e->tags);
        break;
    case CAT_KIND_WPP:
        json_key(w, "message_guid");
        json_guid(w, e->message_guid);
        json_kv_str(w, "component", e->component);
        json_kv_str(w, "function", e->function);
        break;
    default:
        break;
    }
    json_obj_end(w);
    json_line_end(w);
}

int events_jsonl_write(FILE *out, const cat_catalog *c, const char *file,
                       unsigned kinds)
{
    json_w w;
    json_init(&w, out);
    /* per kind, the providers without events, then the events (both
     * arrays are sorted by kind first) */
    size_t pi = 0, ei = 0;
    for (unsigned k = 0; k < CAT_KIND_COUNT; k++) {
        bool on = (kinds & CAT_KIND_BIT(k)) != 0;
        for (; pi < c->n_providers && c->providers[pi].kind == k; pi++)
            if (on && c->providers[pi].n_events == 0)
                write_provider(&w, &c->providers[pi], file);
        for (; ei < c->n_events && c->events[ei].kind == k; ei++)
            if (on)
                write_event(&w, c, &c->events[ei], file);
    }
    return w.ok && !ferror(out) ? 0 : -1;
}
