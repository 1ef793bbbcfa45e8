/** The metrics capability: probes (RTT/jitter/loss), capacity, traffic, history and Prometheus text. */
export { probe, ProbeService, PROBE_PROTOCOL, type ProbeInit, type ProbeComponents } from './probe.js'
export { capacity, CapacityService, CAPACITY_PROTOCOL, type CapacityInit, type CapacityComponents, type CapacityListener } from './capacity.js'
export { measureCapacity, capacityProblem } from './capacity-measure.js'
export { trafficMeter, TrafficMeter, type TrafficMeterInit, type TrafficComponents } from './traffic.js'
export { RingBuffer, DEFAULT_HISTORY_SAMPLES } from './history.js'
export { RttWindow, percentile } from './rtt-window.js'
export { PrometheusExporter, type PrometheusSources } from './prometheus.js'
