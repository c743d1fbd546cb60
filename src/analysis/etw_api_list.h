/*
 * etw_api_list.h - the ETW APIs etwmap recognises, as one X-macro list.
 *
 * X(name, kind, provider_arg, event_arg, flags)
 *   kind          what a call does (etw_api_kind)
 *   provider_arg  0-based argument holding the REGHANDLE, provider object,
 *                 GUID* (register / NoRegistration) or logger handle; -1 none
 *   event_arg     0-based argument holding the EVENT_DESCRIPTOR*, the
 *                 TraceLogging event metadata, the WPP message GUID*, or the
 *                 legacy group mask; -1 none
 *   flags         ETW_API_F_* (etw_api.h): classic providers' APIs and how
 *                 their logger handle and header differ
 * Signatures: FORMATS.md §5.2 (WDK-DDI, EVNTPROV), §1.10 (TraceLogging
 * helpers), §3.1 (EtwTraceKernelEvent), §5.5 (WPP). Included by etw_api.c
 * only; other modules use etw_api.h.
 */

/* manifest / TraceLogging provider registration: arg0 GUID*, arg3 REGHANDLE*;
 * RegisterTraceGuids(RequestAddress, Context, ControlGuid, ...): arg2 */
X(EtwRegister, ETW_API_REGISTER, 0, -1, 0)
X(EventRegister, ETW_API_REGISTER, 0, -1, 0)
X(EtwEventRegister, ETW_API_REGISTER, 0, -1, 0)
X(EtwNotificationRegister, ETW_API_REGISTER, 0, -1, 0)
X(EventNotificationRegister, ETW_API_REGISTER, 0, -1, 0)
X(EtwEventNotificationRegister, ETW_API_REGISTER, 0, -1, 0)
X(EtwRegisterClassicProvider, ETW_API_REGISTER, 0, -1,
  ETW_API_F_CLASSIC | ETW_API_F_CALLBACK_LOGGER)
X(RegisterTraceGuidsA, ETW_API_REGISTER, 2, -1, ETW_API_F_CLASSIC)
X(RegisterTraceGuidsW, ETW_API_REGISTER, 2, -1, ETW_API_F_CLASSIC)
X(EtwRegisterTraceGuidsA, ETW_API_REGISTER, 2, -1, ETW_API_F_CLASSIC)
X(EtwRegisterTraceGuidsW, ETW_API_REGISTER, 2, -1, ETW_API_F_CLASSIC)
X(EtwUnregister, ETW_API_UNREGISTER, 0, -1, 0)
X(EventUnregister, ETW_API_UNREGISTER, 0, -1, 0)
X(EtwEventUnregister, ETW_API_UNREGISTER, 0, -1, 0)
/* manifest writes: arg0 REGHANDLE, arg1 EVENT_DESCRIPTOR* */
X(EtwWrite, ETW_API_WRITE, 0, 1, 0)
X(EventWrite, ETW_API_WRITE, 0, 1, 0)
X(EtwEventWrite, ETW_API_WRITE, 0, 1, 0)
X(EtwWriteEx, ETW_API_WRITE, 0, 1, 0)
X(EventWriteEx, ETW_API_WRITE, 0, 1, 0)
X(EtwEventWriteEx, ETW_API_WRITE, 0, 1, 0)
X(EtwWriteTransfer, ETW_API_WRITE, 0, 1, 0)
X(EventWriteTransfer, ETW_API_WRITE, 0, 1, 0)
X(EtwEventWriteTransfer, ETW_API_WRITE, 0, 1, 0)
X(EtwEventWriteFull, ETW_API_WRITE, 0, 1, 0)
X(EtwWriteStartScenario, ETW_API_WRITE, 0, 1, 0)
X(EtwWriteEndScenario, ETW_API_WRITE, 0, 1, 0)
X(EventWriteStartScenario, ETW_API_WRITE, 0, 1, 0)
X(EventWriteEndScenario, ETW_API_WRITE, 0, 1, 0)
X(EtwEventWriteStartScenario, ETW_API_WRITE, 0, 1, 0)
X(EtwEventWriteEndScenario, ETW_API_WRITE, 0, 1, 0)
X(EtwWriteUMSecurityEvent, ETW_API_WRITE, -1, 0, 0)
X(EtwWriteKMSecurityEvent, ETW_API_WRITE, -1, 0, 0)
/* string writes: arg0 REGHANDLE, level/keyword instead of a descriptor */
X(EtwWriteString, ETW_API_WRITE_STRING, 0, -1, 0)
X(EventWriteString, ETW_API_WRITE_STRING, 0, -1, 0)
X(EtwEventWriteString, ETW_API_WRITE_STRING, 0, -1, 0)
/* no registration: arg0 provider GUID*, arg1 descriptor */
X(EtwWriteNoRegistration, ETW_API_WRITE_NOREG, 0, 1, 0)
X(EventWriteNoRegistration, ETW_API_WRITE_NOREG, 0, 1, 0)
X(EtwEventWriteNoRegistration, ETW_API_WRITE_NOREG, 0, 1, 0)
/* WPP: arg0 logger, arg2 message GUID*, arg3 message number; classic:
 * arg0 logger, arg1 EVENT_TRACE_HEADER* (48 bytes, read whole) */
X(WmiTraceMessage, ETW_API_WPP, 0, 2, 0)
X(WmiTraceMessageVa, ETW_API_WPP, 0, 2, 0)
X(TraceMessage, ETW_API_WPP, 0, 2, 0)
X(TraceMessageVa, ETW_API_WPP, 0, 2, 0)
X(EtwTraceMessage, ETW_API_WPP, 0, 2, 0)
X(EtwTraceMessageVa, ETW_API_WPP, 0, 2, 0)
X(TraceEvent, ETW_API_CLASSIC, 0, 1, ETW_API_F_CLASSIC)
X(EtwTraceEvent, ETW_API_CLASSIC, 0, 1, ETW_API_F_CLASSIC)
X(TraceEventInstance, ETW_API_CLASSIC, 0, 1,
  ETW_API_F_CLASSIC | ETW_API_F_INSTANCE)
X(EtwTraceEventInstance, ETW_API_CLASSIC, 0, 1,
  ETW_API_F_CLASSIC | ETW_API_F_INSTANCE)
/* kernel: IoWMIWriteEvent(header) with WNODE_FLAG_TRACED_GUID is a trace
 * event, the logger handle in the header (WNODE HistoricalContext) */
X(IoWMIWriteEvent, ETW_API_CLASSIC, -1, 0,
  ETW_API_F_CLASSIC | ETW_API_F_WNODE)
/* TraceLogging helpers: arg0 provider object, arg1 event metadata + 1 */
X(_tlgWrite, ETW_API_TRACELOGGING, 0, 1, 0)
X(_tlgWriteTransfer, ETW_API_TRACELOGGING, 0, 1, 0)
X(_tlgWriteEx, ETW_API_TRACELOGGING, 0, 1, 0)
X(_tlgWriteAgg, ETW_API_TRACELOGGING, 0, 1, 0)
X(_tlgWriteTemplate, ETW_API_TRACELOGGING, 0, 1, 0)
X(_TlgWrite, ETW_API_TRACELOGGING, 0, 1, 0)
X(_TlgWriteTransfer, ETW_API_TRACELOGGING, 0, 1, 0)
X(tlgWriteTransfer, ETW_API_TRACELOGGING, 0, 1, 0)
X(tlgWrite, ETW_API_TRACELOGGING, 0, 1, 0)
X(TlgWrite, ETW_API_TRACELOGGING, 0, 1, 0)
/* support calls: provider traits, enablement checks, activity ids; they
 * write nothing but show a provider is in use */
X(EtwSetInformation, ETW_API_SUPPORT, 0, -1, 0)
X(EventSetInformation, ETW_API_SUPPORT, 0, -1, 0)
X(EtwEventSetInformation, ETW_API_SUPPORT, 0, -1, 0)
X(EtwEventEnabled, ETW_API_SUPPORT, 0, 1, 0)
X(EtwProviderEnabled, ETW_API_SUPPORT, 0, -1, 0)
X(EventEnabled, ETW_API_SUPPORT, 0, 1, 0)
X(EventProviderEnabled, ETW_API_SUPPORT, 0, -1, 0)
X(EtwEventProviderEnabled, ETW_API_SUPPORT, 0, -1, 0)
X(EtwActivityIdControl, ETW_API_SUPPORT, -1, -1, 0)
X(EventActivityIdControl, ETW_API_SUPPORT, -1, -1, 0)
X(EtwEventActivityIdControl, ETW_API_SUPPORT, -1, -1, 0)
/* classic providers' control callback: the logger handle from the WNODE
 * the callback receives, then its level and flags (EVNTRACE) */
X(GetTraceLoggerHandle, ETW_API_SUPPORT, -1, -1,
  ETW_API_F_CLASSIC | ETW_API_F_RETURNS_LOGGER)
X(GetTraceEnableLevel, ETW_API_SUPPORT, 0, -1, ETW_API_F_CLASSIC)
X(GetTraceEnableFlags, ETW_API_SUPPORT, 0, -1, ETW_API_F_CLASSIC)
/* legacy kernel: (data, count, group mask, hook id, flags) */
X(EtwTraceKernelEvent, ETW_API_KERNEL, -1, 2, 0)
