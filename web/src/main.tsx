import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { registerServiceWorker } from './features/notifications/service-worker.ts';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
// Not in browsers driven by automation (navigator.webdriver): their tests trust the
// self-signed certificate per page only, and Chromium refuses a service worker from
// such an origin with a console error. test/web/pwa-notifications.test.ts trusts it
// for the whole browser and tests the worker.
if (import.meta.env.PROD && !navigator.webdriver) registerServiceWorker();
