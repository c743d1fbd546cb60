#include "etw_api.h"

#include <string.h>

static const etw_api apis[] = {
#define X(name, kind, parg, earg, flags) {#name, kind, parg, earg, flags},
#include "etw_api_list.h"
#undef X
};

static const char *const kind_names[ETW_API_KIND_COUNT] = {
    [ETW_API_REGISTER] = "register",
    [ETW_API_UNREGISTER] = "unregister",
    [ETW_API_WRITE] = "write",
    [ETW_API_WRITE_STRING] = "write-string",
    [ETW_API_WRITE_NOREG] = "write-noregistration",
    [ETW_API_WPP] = "wpp",
    [ETW_API_CLASSIC] = "classic",
    [ETW_API_TRACELOGGING] = "tracelogging",
    [ETW_API_KERNEL] = "legacy-kernel",
    [ETW_API_SUPPORT] = "support",
};

const etw_api *etw_api_table(size_t *count)
{
    *count = sizeof apis / sizeof apis[0];
    return apis;
}

const char *etw_api_kind_name(etw_api_kind kind)
{
    return (unsigned)kind < ETW_API_KIND_COUNT ? kind_names[kind] : "?";
}

const etw_api *etw_api_find(const char *name)
{
    if (!name)
        return NULL;
    const etw_api *best = NULL;
    size_t best_n = 0;
    for (size_t i = 0; i < sizeof apis / sizeof apis[0]; i++) {
        const etw_api *a = &apis[i];
        size_t n = strlen(a->name);
        if (strncmp(name, a->name, n) != 0)
            continue;
        if (name[n] == 0)
            return a;
        /* TraceLogging helpers carry suffixes: "_tlgWriteTransfer_Etw
         * WriteTransfer", "_tlgWriteTemplate<...>::Write<...>" (FORMATS.md
         * §1.10: match by prefix); the longest prefix names the helper. */
        if (a->kind == ETW_API_TRACELOGGING && n > best_n) {
            best = a;
            best_n = n;
        }
    }
    return best;
}

unsigned etw_api_arg_mask(const etw_api *api)
{
    unsigned m = 0;
    if (api->provider_arg >= 0)
        m |= 1u << api->provider_arg;
    if (api->event_arg >= 0)
        m |= 1u << api->event_arg;
    switch (api->kind) {
    case ETW_API_REGISTER:
        if (etw_api_handle_out_arg(api) >= 0)
            m |= 1u << etw_api_handle_out_arg(api);
        if (etw_api_callback_arg(api) >= 0)
            m |= 1u << etw_api_callback_arg(api);
        break;
    case ETW_API_WRITE_STRING: /* level, keyword, string (arg 3 user
                                  mode, arg 4 kernel: after ActivityId) */
        m |= 0x1Eu;
        break;
    case ETW_API_WPP:
        m |= 0xFu; /* logger, flags, message GUID*, number */
        break;
    case ETW_API_KERNEL:
        m |= 0xEu; /* count, group mask, hook id */
        break;
    case ETW_API_SUPPORT: /* EtwSetInformation's class and data; the
                             classic GetTrace* take the handle alone */
        if (!(api->flags & ETW_API_F_CLASSIC))
            m |= 0x7u;
        else if (api->flags & ETW_API_F_RETURNS_LOGGER)
            m |= 0x1u; /* the WNODE_HEADER* the handle comes from */
        break;
    default:
        break;
    }
    return m;
}

int etw_api_handle_out_arg(const etw_api *api)
{
    if (api->kind != ETW_API_REGISTER)
        return -1;
    /* EtwRegisterClassicProvider(Guid, Type, Callback, Context, Handle*);
     * Etw/EventNotificationRegister(Guid, Type, Callback, Context,
     * Handle*) */
    if (strcmp(api->name, "EtwRegisterClassicProvider") == 0 ||
        strstr(api->name, "NotificationRegister"))
        return 4;
    return api->provider_arg == 0 ? 3 : -1;
}

int etw_api_callback_arg(const etw_api *api)
{
    if (api->kind != ETW_API_REGISTER)
        return -1;
    if (api->provider_arg == 2) /* RegisterTraceGuids(RequestAddress, ...) */
        return 0;
    return etw_api_handle_out_arg(api) == 4 ? 2 : 1;
}

bool etw_api_returns_logger(const etw_api *api)
{
    return api && (api->flags & ETW_API_F_RETURNS_LOGGER);
}
