import { describe, expect, it } from 'vitest';
import { CHANNEL_NAME } from '../../src/core/channels.js';
import { CHANNELS } from '../../src/core/subscriber.js';

describe('channels', () => {
  it('names exactly the channels canale lists, so a channel added to the list is named in every message', () => {
    // CHANNEL_NAME is a Record over the Channel type (complete by the compiler); CHANNELS is a plain list
    expect(Object.keys(CHANNEL_NAME).sort()).toEqual([...CHANNELS].sort());
  });
});
