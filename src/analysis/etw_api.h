/*
 * etw_api.h - which functions are ETW APIs, and what their arguments mean.
 *
 * One table (etw_api_list.h) serves import listing now and site recognition
 * later. Lookup is by exact name; TraceLogging helpers match by prefix
 * (the compiler appends the wrapped API: "_tlgWriteTransfer_EtwWriteTransfer",
 * "_tlgWriteTemplate<...>::Write<...>").
 */
#ifndef ETW_API_H
#define ETW_API_H

#include <stdbool.h>
#include <stddef.h>

typedef enum etw_api_kind {
    ETW_API_REGISTER,
    ETW_API_UNREGISTER,
    ETW_API_WRITE,
    ETW_API_WRITE_STRING,
    ETW_API_WRITE_NOREG,
    ETW_API_WPP,
    ETW_API_CLASSIC,
    ETW_API_TRACELOGGING,
    ETW_API_KERNEL,
    ETW_API_SUPPORT, /* set-information, enabled checks, activity ids */
    ETW_API_KIND_COUNT
} etw_api_kind;

/* etw_api.flags: classic (MOF) providers' APIs, and how their logger
 * handle and event header differ from TraceEvent's */
#define ETW_API_F_CLASSIC 0x1u   /* registers, writes for or serves a classic
                                    provider (RegisterTraceGuids, TraceEvent,
                                    GetTrace*, EtwRegisterClassicProvider) */
#define ETW_API_F_RETURNS_LOGGER 0x2u /* returns a logger handle
                                         (GetTraceLoggerHandle) */
#define ETW_API_F_CALLBACK_LOGGER 0x4u /* its enable callback is given the
                                          logger and keeps it (the kernel's
                                          EtwRegisterClassicProvider) */
#define ETW_API_F_WNODE 0x8u     /* IoWMIWriteEvent: a trace event only with
                                    WNODE_FLAG_TRACED_GUID; the logger is in
                                    the header (HistoricalContext) */
#define ETW_API_F_INSTANCE 0x10u /* EVENT_INSTANCE_HEADER: a registration
                                    handle, not the class GUID, at 24 */

typedef struct etw_api {
    const char *name;
    etw_api_kind kind;
    int provider_arg; /* 0-based; -1 none */
    int event_arg;    /* 0-based; -1 none */
    unsigned flags;   /* ETW_API_F_* */
} etw_api;

/* The entry for name, or NULL. Names are compared exactly, except that a
 * TraceLogging helper name followed by '_' or '<' matches its base. */
const etw_api *etw_api_find(const char *name);
const char *etw_api_kind_name(etw_api_kind kind); /* "register", "write", ... */
const etw_api *etw_api_table(size_t *count);
/* Bit i set: argument i (0-based, < 8) matters for resolving a call: the
 * provider and event arguments plus level/keyword/string of string
 * writes, the message number of WPP, the hook id of legacy events, the
 * REGHANDLE* a registration fills, the information of EtwSetInformation. */
unsigned etw_api_arg_mask(const etw_api *api);
/* The argument a registration fills with the handle: 3 (REGHANDLE* of
 * Etw/EventRegister), 4 (EtwRegisterClassicProvider's TRACEHANDLE*, the
 * *NotificationRegister REGHANDLE*), or
 * -1 (RegisterTraceGuids: beyond the arguments etwmap tracks). */
int etw_api_handle_out_arg(const etw_api *api);
/* The argument a registration passes its enable / control callback in:
 * 0 (RegisterTraceGuids' RequestAddress), 1 (Etw/EventRegister), 2
 * (EtwRegisterClassicProvider, *NotificationRegister), or -1. */
int etw_api_callback_arg(const etw_api *api);
/* Does api return a classic logger handle (GetTraceLoggerHandle)? NULL:
 * no. */
bool etw_api_returns_logger(const etw_api *api);

#endif
