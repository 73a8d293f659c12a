import { expect, it } from 'vitest';
import { HeaderWord } from './header-words.js';
import { RingDescriptor as D } from './ring-descriptor.js';

it('HeaderWord indexes the header words of RingDescriptor', () => {
  expect([HeaderWord.State, HeaderWord.Tail, HeaderWord.Intent, HeaderWord.Head]).toEqual(
    [D.stateOffset, D.tailOffset, D.intentOffset, D.headOffset].map((offset) => offset / 4),
  );
  expect([HeaderWord.HistoryStart, HeaderWord.Keep]).toEqual([D.historyStartOffset, D.keepOffset].map((offset) => offset / 4));
  expect([HeaderWord.Generation, HeaderWord.Waiters, HeaderWord.WriterWaiting]).toEqual(
    [D.generationOffset, D.waitersOffset, D.writerWaitingOffset].map((offset) => offset / 4),
  );
});
