// Integration tests start real processes; jest's testTimeout is global, so the project sets its own here.
import { jest } from '@jest/globals';

jest.setTimeout(60_000);
