/*
 * sites_jsonl.c - the JSON Lines writer of `etwmap sites` (sites_jsonl.h).
 */
#include "output/sites_jsonl.h"
#include "output/events_jsonl.h"

static void kv_rva(json_w *w, const char *key, bool present, uint32_t rva)
{
    json_key(w, key);
    if (present)
        json_hex(w, rva);
    else
        json_null(w);
}

static void kv_num(json_w *w, const char *key, bool present, uint64_t v)
{
    json_key(w, key);
    if (present)
        json_u64(w, v);
    else
        json_null(w);
}

void sites_jsonl_site(json_w *w, const engine *e, const st_site *s)
{
    const fn_function *f = &e->fns.functions[s->fn];
    const cat_event *ev = s->event;
    bool desc = s->has_descriptor;
    json_kv_hex(w, "site_rva", s->site_rva);
    json_kv_str(w, "function", f->name);
    json_kv_hex(w, "function_rva", f->rva);
    json_kv_str(w, "api", s->api_name);
    json_kv_str(w, "kind", s->string_write ? "manifest-string"
                                            : cat_kind_name(s->kind));
    json_key(w, "provider_guid");
    if (s->has_guid)
        json_guid(w, s->guid);
    else
        json_null(w);
    json_kv_str(w, "provider_name", s->provider ? s->provider->name : NULL);
    kv_num(w, "event_id", desc || (ev && ev->has_id),
           desc ? s->id : ev ? ev->id : 0);
    bool hdr = s->has_class; /* classic: type is the opcode (MOF) */
    kv_num(w, "event_version",
           desc || s->has_class_version || (ev && ev->has_version),
           desc ? s->version : s->has_class_version ? s->class_version
                                                    : ev ? ev->version : 0);
    json_kv_str(w, "event_name", ev ? ev->name : NULL);
    kv_num(w, "channel", desc || (ev && ev->channel.present),
           desc ? s->channel : ev ? ev->channel.value : 0);
    kv_num(w, "level", desc || s->has_level || (ev && ev->level.present),
           desc || s->has_level ? s->level : ev ? ev->level.value : 0);
    kv_num(w, "opcode", desc || hdr || (ev && ev->opcode.present),
           desc ? s->opcode : hdr ? s->class_type
                                  : ev ? ev->opcode.value : 0);
    kv_num(w, "task", desc || (ev && ev->task.present),
           desc ? s->task : ev ? ev->task.value : 0);
    json_key(w, "keyword");
    if (desc || s->has_keyword)
        json_hex(w, s->keyword);
    else if (ev && ev->has_keyword)
        json_hex(w, ev->keyword);
    else
        json_null(w);
    json_key(w, "fields");
    if (ev)
        events_jsonl_fields(w, ev);
    else
        json_null(w);
    json_kv_str(w, "message", ev ? ev->message : NULL);
    kv_rva(w, "source_rva", ev && ev->has_source_rva,
           ev ? ev->source_rva : 0);
    json_kv_str(w, "provider_symbol", s->provider_symbol);
    json_kv_str(w, "reghandle_symbol", s->handle_symbol);
    json_kv_str(w, "event_symbol", s->event_symbol);
    json_key(w, "resolved_by");
    json_obj_begin(w);
    json_kv_str(w, "provider", s->provider_by);
    json_kv_str(w, "event", s->event_by);
    json_obj_end(w);
    json_key(w, "unresolved");
    json_arr_begin(w);
    for (unsigned b = 0; b < ST_R_COUNT; b++)
        if (s->unresolved & (1u << b))
            json_str(w, st_reason_name(b));
    json_arr_end(w);

    json_kv_str(w, "action", st_action_name(s->action));
    json_kv_hex(w, "api_rva", s->sink_site);
    json_key(w, "via");
    json_arr_begin(w);
    for (unsigned i = 0; i < s->n_via; i++)
        json_str(w, e->fns.functions[s->via[i]].name);
    for (unsigned i = 0; i < s->n_ext_via; i++)
        json_str(w, s->ext_via[i]);
    json_arr_end(w);
    json_kv_str(w, "module", s->module);
    kv_rva(w, "handle_rva", s->has_handle_rva, s->handle_rva);
    kv_rva(w, "descriptor_rva", s->has_descriptor_rva, s->descriptor_rva);
    kv_rva(w, "registration_rva", s->registration_site != 0,
           s->registration_site);
    json_key(w, "group_mask");
    if (s->has_group_mask)
        json_hex(w, s->group_mask);
    else
        json_null(w);
    json_key(w, "hook_id");
    if (s->has_hook_id)
        json_hex(w, s->hook_id);
    else
        json_null(w);
    json_key(w, "message_guid");
    if (s->has_message)
        json_guid(w, s->message_guid);
    else
        json_null(w);
    kv_num(w, "message_number", s->has_message, s->message_number);
    json_key(w, "event_guid");
    if (s->has_class_guid)
        json_guid(w, s->class_guid);
    else
        json_null(w);
    json_kv_str(w, "string", s->string);
}

int sites_jsonl_write(FILE *out, const engine *e, const st_sites *s)
{
    json_w w;
    json_init(&w, out);
    for (size_t i = 0; i < s->n; i++) {
        json_obj_begin(&w);
        sites_jsonl_site(&w, e, &s->sites[i]);
        json_obj_end(&w);
        json_line_end(&w);
    }
    return w.ok && !ferror(out) ? 0 : -1;
}
