/*
 * etw_api_list.h - the ETW APIs etwmap recognises, as one X-macro list.
 *
 * X(name, kind, provider_arg, event_arg)
 *   kind          what a call does (etw_api_kind)
 *   provider_arg  0-based argument holding the REGHANDLE, provider object,
 *                 GUID* (register / NoRegistration) or logger handle; -1 none
 *   event_arg     0-based argument holding the EVENT_DESCRIPTOR*, the
 *                 TraceLogging event metadata, the WPP message GUID*, or the
 *                 legacy group mask; -1 none
 * Signatures: FORMATS.md §5.2 (WDK-DDI, EVNTPROV), §1.10 (TraceLogging
 * helpers), §3.1 (EtwTraceKernelEvent), §5.5 (WPP). Included by etw_api.c
 * only; other modules use etw_api.h.
 */

/* manifest / TraceLogging provider registration: arg0 GUID*, arg3 REGHANDLE*;
 * RegisterTraceGuids(RequestAddress, Context, ControlGuid, ...): arg2 */
X(EtwRegister, ETW_API_REGISTER, 0, -1)
X(EventRegister, ETW_API_REGISTER, 0, -1)
X(EtwEventRegister, ETW_API_REGISTER, 0, -1)
X(EtwNotificationRegister, ETW_API_REGISTER, 0, -1)
X(EventNotificationRegister, ETW_API_REGISTER, 0, -1)
X(EtwEventNotificationRegister, ETW_API_REGISTER, 0, -1)
X(EtwRegisterClassicProvider, ETW_API_REGISTER, 0, -1)
X(RegisterTraceGuidsA, ETW_API_REGISTER, 2, -1)
X(RegisterTraceGuidsW, ETW_API_REGISTER, 2, -1)
X(EtwRegisterTraceGuidsA, ETW_API_REGISTER, 2, -1)
X(EtwRegisterTraceGuidsW, ETW_API_REGISTER, 2, -1)
X(EtwUnregister, ETW_API_UNREGISTER, 0, -1)
X(EventUnregister, ETW_API_UNREGISTER, 0, -1)
X(EtwEventUnregister, ETW_API_UNREGISTER, 0, -1)
/* manifest writes: arg0 REGHANDLE, arg1 EVENT_DESCRIPTOR* */
X(EtwWrite, ETW_API_WRITE, 0, 1)
X(EventWrite, ETW_API_WRITE, 0, 1)
X(EtwEventWrite, ETW_API_WRITE, 0, 1)
X(EtwWriteEx, ETW_API_WRITE, 0, 1)
X(EventWriteEx, ETW_API_WRITE, 0, 1)
X(EtwEventWriteEx, ETW_API_WRITE, 0, 1)
X(EtwWriteTransfer, ETW_API_WRITE, 0, 1)
X(EventWriteTransfer, ETW_API_WRITE, 0, 1)
X(EtwEventWriteTransfer, ETW_API_WRITE, 0, 1)
X(EtwEventWriteFull, ETW_API_WRITE, 0, 1)
X(EtwWriteStartScenario, ETW_API_WRITE, 0, 1)
X(EtwWriteEndScenario, ETW_API_WRITE, 0, 1)
X(EventWriteStartScenario, ETW_API_WRITE, 0, 1)
X(EventWriteEndScenario, ETW_API_WRITE, 0, 1)
X(EtwEventWriteStartScenario, ETW_API_WRITE, 0, 1)
X(EtwEventWriteEndScenario, ETW_API_WRITE, 0, 1)
X(EtwWriteUMSecurityEvent, ETW_API_WRITE, -1, 0)
X(EtwWriteKMSecurityEvent, ETW_API_WRITE, -1, 0)
/* string writes: arg0 REGHANDLE, level/keyword instead of a descriptor */
X(EtwWriteString, ETW_API_WRITE_STRING, 0, -1)
X(EventWriteString, ETW_API_WRITE_STRING, 0, -1)
X(EtwEventWriteString, ETW_API_WRITE_STRING, 0, -1)
/* no registration: arg0 provider GUID*, arg1 descriptor */
X(EtwWriteNoRegistration, ETW_API_WRITE_NOREG, 0, 1)
X(EventWriteNoRegistration, ETW_API_WRITE_NOREG, 0, 1)
X(EtwEventWriteNoRegistration, ETW_API_WRITE_NOREG, 0, 1)
/* WPP: arg0 logger, arg2 message GUID*, arg3 message number; classic:
 * arg0 logger, arg1 EVENT_TRACE_HEADER* (48 bytes, read whole) */
X(WmiTraceMessage, ETW_API_WPP, 0, 2)
X(WmiTraceMessageVa, ETW_API_WPP, 0, 2)
X(TraceMessage, ETW_API_WPP, 0, 2)
X(TraceMessageVa, ETW_API_WPP, 0, 2)
X(EtwTraceMessage, ETW_API_WPP, 0, 2)
X(EtwTraceMessageVa, ETW_API_WPP, 0, 2)
X(TraceEvent, ETW_API_CLASSIC, 0, 1)
X(EtwTraceEvent, ETW_API_CLASSIC, 0, 1)
X(TraceEventInstance, ETW_API_CLASSIC, 0, 1)
X(EtwTraceEventInstance, ETW_API_CLASSIC, 0, 1)
/* kernel: IoWMIWriteEvent(header) with WNODE_FLAG_TRACED_GUID is a trace
 * event, the logger handle in the header (WNODE HistoricalContext) */
X(IoWMIWriteEvent, ETW_API_CLASSIC, -1, 0)
/* TraceLogging helpers: arg0 provider object, arg1 event metadata + 1 */
X(_tlgWrite, ETW_API_TRACELOGGING, 0, 1)
X(_tlgWriteTransfer, ETW_API_TRACELOGGING, 0, 1)
X(_tlgWriteEx, ETW_API_TRACELOGGING, 0, 1)
X(_tlgWriteAgg, ETW_API_TRACELOGGING, 0, 1)
X(_tlgWriteTemplate, ETW_API_TRACELOGGING, 0, 1)
X(_TlgWrite, ETW_API_TRACELOGGING, 0, 1)
X(_TlgWriteTransfer, ETW_API_TRACELOGGING, 0, 1)
X(tlgWriteTransfer, ETW_API_TRACELOGGING, 0, 1)
X(tlgWrite, ETW_API_TRACELOGGING, 0, 1)
X(TlgWrite, ETW_API_TRACELOGGING, 0, 1)
/* support calls: provider traits, enablement checks, activity ids; they
 * write nothing but show a provider is in use */
X(EtwSetInformation, ETW_API_SUPPORT, 0, -1)
X(EventSetInformation, ETW_API_SUPPORT, 0, -1)
X(EtwEventSetInformation, ETW_API_SUPPORT, 0, -1)
X(EtwEventEnabled, ETW_API_SUPPORT, 0, 1)
X(EtwProviderEnabled, ETW_API_SUPPORT, 0, -1)
X(EventEnabled, ETW_API_SUPPORT, 0, 1)
X(EventProviderEnabled, ETW_API_SUPPORT, 0, -1)
X(EtwEventProviderEnabled, ETW_API_SUPPORT, 0, -1)
X(EtwActivityIdControl, ETW_API_SUPPORT, -1, -1)
X(EventActivityIdControl, ETW_API_SUPPORT, -1, -1)
X(EtwEventActivityIdControl, ETW_API_SUPPORT, -1, -1)
/* classic providers' control callback: the logger handle from the WNODE
 * the callback receives, then its level and flags (EVNTRACE) */
X(GetTraceLoggerHandle, ETW_API_SUPPORT, -1, -1)
X(GetTraceEnableLevel, ETW_API_SUPPORT, 0, -1)
X(GetTraceEnableFlags, ETW_API_SUPPORT, 0, -1)
/* legacy kernel: (data, count, group mask, hook id, flags) */
X(EtwTraceKernelEvent, ETW_API_KERNEL, -1, 2)
