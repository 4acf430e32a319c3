/** rkisp1's BlackLevelCorrection (src/ipa/rkisp1/algorithms/blc.cpp of libcamera v0.7.1). */
import { controls, type ControlList } from '../../../../runtime';
import { isDict, type TuningValue } from '../../../../ipa';
import { BlockType, V4L2_META_FMT_RK_ISP1_EXT_PARAMS } from '../../uapi/constants.js';
import type { IPAContext, IPAFrameContext } from '../context';
import type { RkISP1Params } from '../params';
import { Algorithm } from './algorithm';

/** ValueNode::get<int16_t>(): an integer in range, else no value. */
function int16Of(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= -32768 && value <= 32767 ? value : undefined;
}

export class BlackLevelCorrection extends Algorithm {
  private red = 0;
  private greenR = 0;
  private greenB = 0;
  private blue = 0;
  private supported = false;
  readonly warnings: string[] = [];

  constructor() {
    super();
    // libcamera: so that raw captures still report the black level in their metadata.
    this.supportsRaw = true;
  }

  override init(context: IPAContext, tuningData: TuningValue): number {
    const data = isDict(tuningData) ? tuningData : {};
    const levelRed = int16Of(data['R']);
    const levelGreenR = int16Of(data['Gr']);
    const levelGreenB = int16Of(data['Gb']);
    const levelBlue = int16Of(data['B']);
    const tuningHasLevels = levelRed !== undefined && levelGreenR !== undefined && levelGreenB !== undefined && levelBlue !== undefined;
    const blackLevel = context.camHelper.blackLevel;
    if (blackLevel === undefined) {
      this.warnings.push('No black levels provided by camera sensor helper, please fix');
      this.red = levelRed ?? 4096;
      this.greenR = levelGreenR ?? 4096;
      this.greenB = levelGreenB ?? 4096;
      this.blue = levelBlue ?? 4096;
    } else if (tuningHasLevels) {
      this.warnings.push('Deprecated: black levels overwritten by tuning file');
      this.red = levelRed;
      this.greenR = levelGreenR;
      this.greenB = levelGreenB;
      this.blue = levelBlue;
    } else {
      this.red = this.greenR = this.greenB = this.blue = blackLevel;
    }
    return 0;
  }

  override configure(context: IPAContext): number {
    this.supported = context.configuration.paramFormat === V4L2_META_FMT_RK_ISP1_EXT_PARAMS || !context.hw.compand;
    if (!this.supported) this.warnings.push('BLC in companding block requires extensible parameters');
    return 0;
  }

  override prepare(context: IPAContext, frame: number, _frameContext: IPAFrameContext, params: RkISP1Params): void {
    if (context.configuration.raw || frame > 0 || !this.supported) return;
    if (context.hw.compand) {
      // Scaled up to the companding block's 20-bit black levels (uint32 fields).
      params.block(BlockType.COMPAND_BLS, (c) => {
        c.r = (this.red << 4) >>> 0;
        c.gr = (this.greenR << 4) >>> 0;
        c.gb = (this.greenB << 4) >>> 0;
        c.b = (this.blue << 4) >>> 0;
      }, true);
    } else {
      // Scaled down to the BLS block's 12-bit black levels (int16 levels shifted arithmetically).
      params.block(BlockType.BLS, (c) => {
        c.enable_auto = 0;
        c.fixed_val = { r: this.red >> 4, gr: this.greenR >> 4, gb: this.greenB >> 4, b: this.blue >> 4 };
      }, true);
    }
  }

  override process(_context: IPAContext, _frame: number, _frameContext: IPAFrameContext, _stats: unknown, metadata: ControlList): void {
    metadata.set(controls.SensorBlackLevels, [this.red, this.greenR, this.greenB, this.blue]);
  }
}
