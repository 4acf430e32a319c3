/** A thread of the FrameWriter's pool: encodes and writes one frame at a time. */
import { parentPort } from 'node:worker_threads';
import { writePng, type Picture } from './png';

export interface WriteJob {
  id: number;
  file: string;
  picture: Picture;
}

export type WriteOutcome = { id: number; error?: undefined } | { id: number; error: string };

parentPort!.on('message', (job: WriteJob) => {
  let outcome: WriteOutcome;
  try {
    writePng(job.file, job.picture);
    outcome = { id: job.id };
  } catch (error) {
    // fs errors already read "ENOSPC: no space left on device, open '<file>'".
    outcome = { id: job.id, error: (error as Error)?.message ?? String(error) };
  }
  parentPort!.postMessage(outcome);
});
