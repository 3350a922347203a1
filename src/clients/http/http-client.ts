/**
 * axios instances for the upstreams, with keep-alive agents, a timeout, and one interceptor that turns every
 * failure into a typed `UpstreamError` (and counts every answer and its duration for /metrics).
 */
import axios, { AxiosError, AxiosInstance } from 'axios';
import * as http from 'node:http';
import * as https from 'node:https';
import { METRICS, statusLabel } from '../../metrics/metrics';
import { classify, Upstream } from './http-error';

export interface HttpClientOptions {
  upstream: Upstream;
  baseURL: string;
  timeoutMs: number;
  headers: Record<string, string>;
  maxSockets?: number;
}

export function createHttpClient(options: HttpClientOptions): AxiosInstance {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256 };
  const instance = axios.create({
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    headers: options.headers,
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    // No redirects to follow on these APIs; without them axios skips follow-redirects and uses node's http directly.
    maxRedirects: 0,
    // Request bodies are ours. Response bodies: JSON answers are bounded by the APIs; media downloads are streamed
    // and capped by MEDIA_MAX_SIZE in the WAHA client, never buffered whole before the check.
    maxBodyLength: Infinity,
    maxContentLength: Infinity,
    // Every status is a resolved response here; the interceptor below decides what is an error.
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true },
  });
  // Duration and answer of every request, for /metrics (metrics/metrics.ts).
  const seconds = METRICS.upstreamSeconds.labels(options.upstream);
  const started = new WeakMap<object, number>();
  const observe = (config: object | undefined, status: number | undefined, code?: string): void => {
    METRICS.upstreamResponses.inc({ upstream: options.upstream, status: statusLabel(status, code) });
    const start = config && started.get(config);
    if (start !== undefined) seconds.observe((performance.now() - start) / 1000);
  };
  instance.interceptors.request.use((config) => {
    started.set(config, performance.now());
    return config;
  });
  instance.interceptors.response.use(
    (response) => {
      observe(response.config, response.status);
      if (response.status >= 200 && response.status < 300) return response;
      const method = response.config.method ?? 'get';
      // A refused download (responseType stream): its body is not read, the connection is let go.
      const streamed = response.config.responseType === 'stream';
      if (streamed) (response.data as { destroy?: () => void } | undefined)?.destroy?.();
      throw classify(options.upstream, method, response.config.url ?? '', response.status, streamed ? undefined : response.data);
    },
    (error: AxiosError) => {
      observe(error.config, undefined, error.code ?? error.message);
      const method = error.config?.method ?? 'get';
      throw classify(options.upstream, method, error.config?.url ?? '', undefined, undefined, error.code ?? error.message);
    },
  );
  return instance;
}
