import { appLifecycle } from './ui/service-worker.ts';
import './ui/app-shell.ts';

appLifecycle.start();
