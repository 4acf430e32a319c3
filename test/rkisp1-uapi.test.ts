import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  aecConfig, afcConfig, awbGainConfig, awbMeasConfig, bdmConfig, BLOCK_CODECS, BlockFlag, blockSize, BlockType,
  blsConfig, compandBlsConfig, compandCurveConfig, cprocConfig, ctkConfig, decodeLegacyParams, decodeStats,
  dpccConfig, dpfConfig, dpfStrengthConfig, emptyStats, encodeExtParams, encodeLegacyParams, encodeStats,
  EXT_PARAMS_BUFFER_SIZE, EXT_PARAMS_MAX_SIZE, type ExtBlock, ExtParamsBuilder, ExtParamsError, fltConfig,
  gocConfig, hstConfig, ieConfig, IspVersion, LEGACY_BLOCKS, LEGACY_PARAMS_SIZE, LegacyParamsBuilder, lscConfig,
  Module, parseExtParams, readStats, revisionSizes, sdgConfig, Stat, STAT_BUFFER_SIZE, StatsSizeError, wdrConfig,
} from '../dist/platforms/rkisp1/uapi.js';
import { itFindsTheTraces, oracleDir } from './oracle';

const TRACES = ['rkisp1-a-neutral.json', 'rkisp1-b-warm.json'];
const ORACLE_DIR = oracleDir(TRACES) ?? '';
const haveOracle = ORACLE_DIR !== '';
itFindsTheTraces(TRACES);

interface Call {
  call: string;
  frame: number;
  params?: { bufferId: number; bytesused: number; hex: string };
  stats?: { bufferId: number; hex: string };
  sim?: { exposureLines: number; gainCode: number; vblank: number; sceneLevel: number; ispGains: number[] };
}

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function load(name: string): { calls: Call[]; illuminant: number[] } {
  const trace = JSON.parse(fs.readFileSync(path.join(ORACLE_DIR, name), 'utf8'));
  return { calls: trace.calls, illuminant: trace.scene.model.illuminant };
}

/** The C sizes, from linux/rkisp1-config.h of libcamera v0.7.1 (x86-64 and AArch64 agree: no pointers, no longs). */
const CONFIG_SIZES: [string, { size: number }, number][] = [
  ['rkisp1_cif_isp_bls_config', blsConfig, 28],
  ['rkisp1_cif_isp_dpcc_config', dpccConfig, 92],
  ['rkisp1_cif_isp_sdg_config', sdgConfig, 112],
  ['rkisp1_cif_isp_lsc_config', lscConfig, 2380],
  ['rkisp1_cif_isp_awb_gain_config', awbGainConfig, 8],
  ['rkisp1_cif_isp_flt_config', fltConfig, 48],
  ['rkisp1_cif_isp_bdm_config', bdmConfig, 1],
  ['rkisp1_cif_isp_ctk_config', ctkConfig, 24],
  ['rkisp1_cif_isp_goc_config', gocConfig, 72],
  ['rkisp1_cif_isp_dpf_config', dpfConfig, 72],
  ['rkisp1_cif_isp_dpf_strength_config', dpfStrengthConfig, 3],
  ['rkisp1_cif_isp_cproc_config', cprocConfig, 7],
  ['rkisp1_cif_isp_ie_config', ieConfig, 16],
  ['rkisp1_cif_isp_awb_meas_config', awbMeasConfig, 20],
  ['rkisp1_cif_isp_hst_config', hstConfig, 96],
  ['rkisp1_cif_isp_aec_config', aecConfig, 16],
  ['rkisp1_cif_isp_afc_config', afcConfig, 36],
  ['rkisp1_cif_isp_compand_bls_config', compandBlsConfig, 16],
  ['rkisp1_cif_isp_compand_curve_config', compandCurveConfig, 576],
  ['rkisp1_cif_isp_wdr_config', wdrConfig, 100],
];

/** sizeof(struct rkisp1_ext_params_<block>_config), header and aligned(8) padding included. */
const EXT_BLOCK_SIZES: Record<BlockType, number> = {
  [BlockType.BLS]: 40, [BlockType.DPCC]: 104, [BlockType.SDG]: 120, [BlockType.AWB_GAIN]: 16,
  [BlockType.FLT]: 56, [BlockType.BDM]: 16, [BlockType.CTK]: 32, [BlockType.GOC]: 80, [BlockType.DPF]: 80,
  [BlockType.DPF_STRENGTH]: 16, [BlockType.CPROC]: 16, [BlockType.IE]: 24, [BlockType.LSC]: 2392,
  [BlockType.AWB_MEAS]: 32, [BlockType.HST_MEAS]: 104, [BlockType.AEC_MEAS]: 24, [BlockType.AFC_MEAS]: 48,
  [BlockType.COMPAND_BLS]: 24, [BlockType.COMPAND_EXPAND]: 584, [BlockType.COMPAND_COMPRESS]: 584, [BlockType.WDR]: 112,
};

const ALL_TYPES = Object.keys(EXT_BLOCK_SIZES).map(Number) as BlockType[];

/** A config of the type with every byte it owns set from a counter, to catch overlapping or dropped fields. */
function filledConfig(type: BlockType, seed: number): ExtBlock['config'] {
  const codec = BLOCK_CODECS[type];
  const bytes = new Uint8Array(codec.size);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (seed + i * 7) & 0x7f;
  return codec.decode(new DataView(bytes.buffer), 0);
}

describe('rkisp1 UAPI struct sizes', () => {
  it.each(CONFIG_SIZES)('sizeof(struct %s)', (_name, codec, size) => {
    expect(codec.size).toBe(size);
  });

  it('extensible blocks: 8-byte header, config, padded to 8; max size and buffer as in the header', () => {
    for (const t of ALL_TYPES) expect(blockSize(t), BlockType[t]).toBe(EXT_BLOCK_SIZES[t]);
    // RKISP1_EXT_PARAMS_MAX_SIZE counts every block once and the compand curve twice: it is every type once.
    expect(ALL_TYPES.reduce((n, t) => n + blockSize(t), 0)).toBe(EXT_PARAMS_MAX_SIZE);
    expect(EXT_PARAMS_MAX_SIZE).toBe(4504);
    expect(EXT_PARAMS_BUFFER_SIZE).toBe(4512); // the 4512-byte parameter buffers of the traces
  });

  it('stat buffer 260, legacy rkisp1_params_cfg 3048', () => {
    expect(STAT_BUFFER_SIZE).toBe(260);
    expect(encodeStats(emptyStats()).byteLength).toBe(260);
    expect(LEGACY_PARAMS_SIZE).toBe(3048);
  });
});

/**
 * What a C program compiled (gcc, x86-64) against libcamera v0.7.1's rkisp1-config.h reads by
 * field name from a struct whose byte i is (i * 13 + seed) & 0x7f: seed = the block type for
 * block configs, 99 for rkisp1_stat_buffer, 77 for rkisp1_params_cfg. Arrays as [first, last].
 */
const C_FIELDS: Record<string, Record<string, number | number[]>> = {
  BLS: { 'enable_auto': 0, 'en_windows': 13, 'bls_window1.h_offs': 10010, 'bls_window1.v_offs': 16692,
    'bls_window1.h_size': 23374, 'bls_window1.v_size': 30056, 'bls_window2.h_offs': 3842, 'bls_window2.v_offs': 10524,
    'bls_window2.h_size': 17206, 'bls_window2.v_size': 23888, 'bls_samples': 106, 'fixed_val.r': 4356,
    'fixed_val.gr': 11038, 'fixed_val.gb': 17720, 'fixed_val.b': 24402 },
  DPCC: { 'mode': 672861697, 'output_mode': 1548698165, 'set_use': 268662377, 'methods[0]': [1144465949, 1211837985],
    'methods[1]': [2087674453, 7562841], 'methods[2]': [874977805, 942349841], 'ro_limits': 1818186309,
    'rnd_offs': 538117753 },
  SDG: { 'curve_r.gamma_y': [3842, 12066], 'curve_g.gamma_y': [18748, 26972], 'curve_b.gamma_y': [886, 8982],
    'xa_pnts.gamma_dx0': 1902401354, 'xa_pnts.gamma_dx1': 622332798 },
  AWB_GAIN: { 'gain_red': 4099, 'gain_green_r': 10781, 'gain_blue': 17463, 'gain_green_b': 24145 },
  FLT: { 'mode': 723390724, 'grn_stage1': 56, 'chr_h_mode': 69, 'chr_v_mode': 82, 'thresh_bl0': 319191404,
    'thresh_bl1': 1194994976, 'thresh_sh0': 2070831444, 'thresh_sh1': 790762760, 'lum_weight': 1666599228,
    'fac_sh1': 386563440, 'fac_sh0': 1262367012, 'fac_mid': 2138203480, 'fac_bl0': 858134796, 'fac_bl1': 1733971264 },
  BDM: { 'demosaic_th': 5 },
  CTK: { 'coeff[0]': [4870, 18234], 'coeff[1]': [24916, 5384], 'coeff[2]': [12066, 25430], 'ct_offset': [32112, 12580] },
  GOC: { 'mode': 773919751, 'gamma_y': [18491, 8725] },
  DPF: { 'gain.mode': 790762760, 'gain.nf_r_gain': 18748, 'gain.nf_b_gain': 25430, 'gain.nf_gr_gain': 32112,
    'gain.nf_gb_gain': 5898, 'g_flt.spatial_coeff': [36, 101], 'g_flt.gr_enable': 114, 'g_flt.gb_enable': 127,
    'rb_flt.fltsize': 858134796, 'rb_flt.spatial_coeff': [64, 1], 'rb_flt.r_enable': 14, 'rb_flt.b_enable': 27,
    'nll.coeff': [13608, 21832], 'nll.scale_mode': 588646780 },
  DPF_STRENGTH: { 'r': 9, 'g': 22, 'b': 35 },
  CPROC: { 'c_out_range': 10, 'y_in_range': 23, 'y_out_range': 36, 'contrast': 49, 'brightness': 62, 'sat': 75,
    'hue': 88 },
  IE: { 'effect': 6155, 'color_sel': 12837, 'eff_mat_1': 19519, 'eff_mat_2': 26201, 'eff_mat_3': 115,
    'eff_mat_4': 6669, 'eff_mat_5': 13351, 'eff_tint': 20033 },
  LSC: { 'x_grad_tbl': [372, 14122], 'y_grad_tbl': [20804, 1914], 'x_size_tbl': [8468, 22346],
    'y_size_tbl': [29028, 10010], 'config_width': 16692, 'config_height': 23374 },
  AWB_MEAS: { 'awb_wnd.h_offs': 6669, 'awb_wnd.v_offs': 13351, 'awb_wnd.h_size': 20033, 'awb_wnd.v_size': 26715,
    'awb_mode': 470745717, 'max_y': 41, 'min_y': 54, 'max_csum': 67, 'min_c': 80, 'frames': 93, 'awb_ref_cr': 106,
    'awb_ref_cb': 119, 'enable_ymax_cmp': 4 },
  HST_MEAS: { 'mode': 891820814, 'histogram_predivider': 66, 'meas_window.h_offs': 26972, 'meas_window.v_offs': 886,
    'meas_window.h_size': 7440, 'meas_window.v_size': 14122, 'hist_weight': [68, 84] },
  AEC_MEAS: { 'mode': 908663823, 'autostop': 1784500291, 'meas_window.h_offs': 1143, 'meas_window.v_offs': 7697,
    'meas_window.h_size': 14379, 'meas_window.v_size': 21061 },
  AFC_MEAS: { 'num_afm_win': 16, 'afm_win[0].h_offs': 14122, 'afm_win[0].v_offs': 20804, 'afm_win[0].h_size': 27486,
    'afm_win[0].v_size': 1400, 'afm_win[1].h_offs': 7954, 'afm_win[1].v_offs': 14636, 'afm_win[1].h_size': 21318,
    'afm_win[1].v_size': 28000, 'afm_win[2].h_offs': 1914, 'afm_win[2].v_offs': 8468, 'afm_win[2].h_size': 15150,
    'afm_win[2].v_size': 21832, 'thres': 588646780, 'var_shift': 1464483120 },
  COMPAND_BLS: { 'r': 942349841, 'gr': 1818186309, 'gb': 538117753, 'b': 1413954093 },
  COMPAND_EXPAND: { 'px': [18, 69], 'x': [2037145426, 1161308958], 'y': [2037145426, 1161308958] },
  COMPAND_COMPRESS: { 'px': [19, 70], 'x': [2053988435, 1178151967], 'y': [2053988435, 1178151967] },
  WDR: { 'tone_curve.dY': [992878868, 1464483120], 'tone_curve.ym': [29028, 12580], 'iref_config.rgb_factor': 88,
    'iref_config.use_y9_8': 101, 'iref_config.use_rgb7_8': 114, 'iref_config.disable_transient': 127,
    'rgb_offset': 6412, 'luma_offset': 13094, 'dmin_thresh': 19776, 'dmin_strength': 90, 'use_rgb_colorspace': 103,
    'bypass_chroma_mapping': 116, 'use_iref': 1 },
  STATS: { 'meas_type': 175992931, 'frame_id': 1043407895, 'params.awb.awb_mean[0].cnt': 1919244363,
    'params.awb.awb_mean[0].mean_y_or_g': 127, 'params.awb.awb_mean[0].mean_cb_or_b': 12,
    'params.awb.awb_mean[0].mean_cr_or_r': 25, 'params.ae.exp_mean': [51, 67], 'params.ae.bls_val.meas_r': 27229,
    'params.ae.bls_val.meas_gr': 1143, 'params.ae.bls_val.meas_gb': 7697, 'params.ae.bls_val.meas_b': 14379,
    'params.hist.hist_bins': [1043407895, 175992931] },
  LEGACY: { 'module_en_update': 1952930381, 'module_ens': 672861697, 'module_cfg_update': 1548698165,
    'meas.awb_meas_config.awb_mode': 2020302417, 'meas.awb_meas_config.enable_ymax_cmp': 96,
    'meas.hst_config.mode': 336034413, 'meas.hst_config.hist_weight': [35, 51],
    'meas.aec_config.meas_window.v_size': 4099, 'meas.afc_config.var_shift': 1683442237,
    'others.dpcc_config.mode': 403406449, 'others.dpcc_config.rnd_offs': 268662377,
    'others.bls_config.fixed_val.b': 31855, 'others.sdg_config.xa_pnts.gamma_dx1': 740233733,
    'others.lsc_config.r_data_tbl[0][0]': 17977, 'others.lsc_config.config_height': 2171,
    'others.awb_gain_config.gain_red': 8725, 'others.awb_gain_config.gain_green_b': 28771,
    'others.flt_config.mode': 605489789, 'others.flt_config.fac_bl1': 1616070201,
    'others.bdm_config.demosaic_th': 109, 'others.ctk_config.coeff[0][0]': 5127,
    'others.ctk_config.ct_offset[2]': 12837, 'others.goc_config.mode': 7562841,
    'others.goc_config.gamma_y[33]': 29799, 'others.dpf_config.gain.mode': 672861697,
    'others.dpf_config.nll.scale_mode': 470745717, 'others.dpf_strength_config.r': 41,
    'others.dpf_strength_config.b': 67, 'others.cproc_config.c_out_range': 80, 'others.cproc_config.hue': 30,
    'others.ie_config.effect': 14379, 'others.ie_config.eff_tint': 28257 },
};

describe('rkisp1 field offsets as the C compiler lays out the header', () => {
  const pattern = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0x7f);
  const at = (obj: unknown, p: string): unknown => {
    let o = obj as Record<string, unknown>;
    for (const part of p.split(/\.|(?=\[)/)) {
      const m = /^\[(\d+)\]$/.exec(part);
      o = (m ? (o as unknown as unknown[])[Number(m[1])] : o[part]) as Record<string, unknown>;
    }
    if (Array.isArray(o)) return o.length > 1 ? [o[0], o.at(-1)] : o;
    return typeof o === 'object' ? [Object.values(o)[0], Object.values(o).at(-1)] : o;
  };
  it.each(Object.keys(C_FIELDS))('%s', (name) => {
    let decoded: unknown;
    if (name === 'STATS') decoded = decodeStats(pattern(STAT_BUFFER_SIZE, 99));
    else if (name === 'LEGACY') decoded = decodeLegacyParams(pattern(LEGACY_PARAMS_SIZE, 77));
    else {
      const type = BlockType[name as keyof typeof BlockType];
      const codec = BLOCK_CODECS[type];
      decoded = codec.decode(new DataView(pattern(codec.size, type).buffer), 0);
    }
    for (const [p, value] of Object.entries(C_FIELDS[name]!)) expect(at(decoded, p), `${name}.${p}`).toEqual(value);
  });
});

describe('rkisp1 config codecs', () => {
  it.each(ALL_TYPES.map((t) => [BlockType[t], t] as const))('%s decodes and encodes back every byte', (_n, type) => {
    const codec = BLOCK_CODECS[type];
    const src = new Uint8Array(codec.size);
    for (let i = 0; i < src.length; i++) src[i] = (i * 13 + type) & 0x7f;
    const decoded = codec.decode(new DataView(src.buffer), 0);
    const out = new Uint8Array(codec.size);
    (codec.encode as (v: DataView, o: number, c: unknown) => void)(new DataView(out.buffer), 0, decoded);
    // Every byte comes back except C padding, which the encoder leaves zero.
    const padding = [...out].flatMap((b, i) => (b === src[i] ? [] : [i]));
    for (const i of padding) expect(out[i], `${BlockType[type]} byte ${i}`).toBe(0);
    const paddingBytes: Partial<Record<BlockType, number[]>> = {
      [BlockType.BLS]: [19], [BlockType.SDG]: [102, 103], [BlockType.FLT]: [7], [BlockType.HST_MEAS]: [5, 95],
      [BlockType.AFC_MEAS]: [1, 26, 27], [BlockType.DPF]: [66, 67], [BlockType.WDR]: [82, 83, 98, 99],
    };
    expect(padding.filter((i) => src[i] !== 0)).toEqual((paddingBytes[type] ?? []).filter((i) => src[i] !== 0));
  });

  it('refuses a value that does not fit its field, and too long an array', () => {
    const v = new DataView(new ArrayBuffer(8));
    expect(() => awbGainConfig.encode(v, 0, { gain_red: 0x10000, gain_green_r: 0, gain_blue: 0, gain_green_b: 0 })).toThrow(RangeError);
    expect(() => hstConfig.encode(new DataView(new ArrayBuffer(96)), 0, {
      mode: 0, histogram_predivider: 0, meas_window: { h_offs: 0, v_offs: 0, h_size: 0, v_size: 0 }, hist_weight: new Array(82).fill(1),
    })).toThrow(/82 values/);
  });
});

describe.runIf(haveOracle)('rkisp1 extensible parameters from libcamera v0.7.1', () => {
  for (const name of TRACES) {
    it(`${name}: every params.hex parses, blocks as libcamera writes them, re-encodes to the same bytes`, () => {
      const { calls } = load(name);
      const computed = calls.filter((c) => c.call === 'computeParams');
      expect(computed.length).toBe(80);
      for (const c of computed) {
        const bytes = hex(c.params!.hex);
        expect(bytes.byteLength).toBe(c.params!.bytesused);
        const parsed = parseExtParams(bytes);
        expect(parsed.version).toBe(1);
        for (const b of parsed.blocks) expect(BLOCK_CODECS[b.type]).toBeDefined();
        const types = parsed.blocks.map((b) => b.type);
        if (c.frame === 0) {
          expect(types).toEqual([BlockType.AEC_MEAS, BlockType.HST_MEAS, BlockType.AWB_GAIN, BlockType.AWB_MEAS, BlockType.BLS]);
        } else {
          expect(types).toEqual([BlockType.AWB_GAIN]);
        }
        expect(toHex(encodeExtParams(parsed.blocks))).toBe(c.params!.hex);
        const builder = new ExtParamsBuilder(new Uint8Array(EXT_PARAMS_BUFFER_SIZE).fill(0xa5));
        for (const b of parsed.blocks) builder.addBlock(b);
        expect(builder.bytesused).toBe(c.params!.bytesused);
        expect(toHex(builder.bytes())).toBe(c.params!.hex);
        // The whole mapped buffer with bytesused, as the pipeline handler has it.
        expect(parseExtParams(builder.buffer, c.params!.bytesused)).toEqual(parsed);
      }
    });
  }

  it('frame 0 of the neutral trace holds what the uncalibrated tuning configures', () => {
    const { calls } = load(TRACES[0]!);
    const frame0 = calls.find((c) => c.call === 'computeParams' && c.frame === 0)!;
    const blocks = parseExtParams(hex(frame0.params!.hex)).blocks;
    const byType = new Map(blocks.map((b) => [b.type, b]));
    const aec = byType.get(BlockType.AEC_MEAS)!;
    expect(aec.flags).toBe(BlockFlag.ENABLE);
    expect(aec.config).toMatchObject({ meas_window: { h_size: 1920, v_size: 1080 } });
    const hst = byType.get(BlockType.HST_MEAS)!;
    expect(hst.flags).toBe(BlockFlag.ENABLE);
    if (hst.type === BlockType.HST_MEAS) {
      expect(hst.config.hist_weight.slice(0, revisionSizes(IspVersion.V10).histogramWeights)).toEqual(new Array(25).fill(1));
      expect(hst.config.hist_weight.slice(25).every((w) => w === 0)).toBe(true);
    }
    const gain = byType.get(BlockType.AWB_GAIN)!;
    expect(gain.config).toEqual({ gain_red: 256, gain_green_r: 256, gain_blue: 256, gain_green_b: 256 });
    expect(byType.get(BlockType.AWB_MEAS)!.flags).toBe(BlockFlag.ENABLE);
    expect(byType.get(BlockType.BLS)!.flags).toBe(BlockFlag.ENABLE);
  });
});

describe.runIf(haveOracle)('rkisp1 statistics from the simulated ISP', () => {
  for (const [index, name] of TRACES.entries()) {
    it(`${name}: every stats.hex decodes, is 260 bytes, re-encodes to the same bytes, agrees with sim`, () => {
      const { calls, illuminant } = load(name);
      const gainsByFrame = new Map<number, number[]>();
      const statsCalls = calls.filter((c) => c.call === 'processStats');
      expect(statsCalls.length).toBe(80);
      for (const c of calls) {
        if (c.call === 'computeParams') {
          for (const b of parseExtParams(hex(c.params!.hex)).blocks) {
            if (b.type === BlockType.AWB_GAIN) gainsByFrame.set(c.frame, [b.config.gain_red, b.config.gain_green_r, b.config.gain_green_b, b.config.gain_blue]);
          }
          continue;
        }
        if (c.call !== 'processStats') continue;
        const bytes = hex(c.stats!.hex);
        expect(bytes.byteLength).toBe(STAT_BUFFER_SIZE);
        const s = decodeStats(bytes);
        // The IPA configured AWB, AEC and histogram measurements, not AF.
        expect(s.meas_type).toBe(Stat.AWB | Stat.AUTOEXP | Stat.HIST);
        expect(s.frame_id).toBe(c.frame);
        expect(toHex(encodeStats(s))).toBe(c.stats!.hex);
        // V10: 25 means and 16 bins used; the rest of the C arrays stay zero.
        const v10 = readStats(bytes, IspVersion.V10);
        expect(v10.aeMeans.length).toBe(25);
        expect(v10.histogramBins.length).toBe(16);
        expect(s.params.ae.exp_mean.slice(25).every((m) => m === 0)).toBe(true);
        expect(s.params.hist.hist_bins.slice(16).every((b) => b === 0)).toBe(true);
        expect(readStats(bytes, IspVersion.V12).aeMeans.length).toBe(81);

        // sim: the ISP's AWB gains the frame used are the AWB_GAIN block computed for that frame.
        const sim = c.sim!;
        expect(sim.ispGains.map((g) => g * 256)).toEqual(gainsByFrame.get(c.frame));
        const awb = s.params.awb.awb_mean[0];
        // The same pixels measured every frame (1920x1080 window: 1166400 = 1920 * 1080 * 9 / 16).
        expect(awb.cnt).toBe(1166400);
        const unityGains = sim.ispGains.every((g) => g === 1);
        if (unityGains) {
          // YCbCr means: a neutral illuminant gives neutral chroma, a warm one red (Cr) up, blue (Cb) down.
          if (index === 0) {
            expect(Math.abs(awb.mean_cb_or_b - 128)).toBeLessThanOrEqual(1);
            expect(Math.abs(awb.mean_cr_or_r - 128)).toBeLessThanOrEqual(1);
          } else {
            expect(illuminant[0]).toBeGreaterThan(illuminant[2]!);
            expect(awb.mean_cr_or_r).toBeGreaterThan(130);
            expect(awb.mean_cb_or_b).toBeLessThan(126);
          }
        }
        // Exposure: the mean luminance follows exposureLines * 256 / (256 - gainCode) (to 10 %, the
        // AWB gains and rounding aside) relative to frame 0's at the sensor's default.
        const first = decodeStats(hex(statsCalls[0]!.stats!.hex));
        const mean = (m: number[]) => m.slice(0, 25).reduce((a, b) => a + b, 0) / 25;
        const f0 = statsCalls[0]!.sim!;
        const factor = (sim.exposureLines * 256 / (256 - sim.gainCode)) / (f0.exposureLines * 256 / (256 - f0.gainCode));
        expect(mean(s.params.ae.exp_mean) / mean(first.params.ae.exp_mean)).toBeGreaterThan(factor * 0.9);
        expect(mean(s.params.ae.exp_mean) / mean(first.params.ae.exp_mean)).toBeLessThan(factor * 1.1);
        // The histogram counts the same (weighted) pixels every frame, whatever the exposure.
        expect(s.params.hist.hist_bins.reduce((a, b) => a + b, 0)).toBe(
          first.params.hist.hist_bins.reduce((a, b) => a + b, 0));
        // Equal sensor settings and gains: equal statistics.
        if (c.frame < 3) expect(c.stats!.hex.slice(16)).toBe(statsCalls[0]!.stats!.hex.slice(16));
      }
    });
  }
});

describe('rkisp1 stats codec', () => {
  it('writes what it reads, V10-sized arrays zero-filled, and refuses a short buffer', () => {
    const s = emptyStats();
    s.meas_type = Stat.AWB | Stat.AFM;
    s.frame_id = 7;
    s.params.awb.awb_mean[0] = { cnt: 100, mean_y_or_g: 1, mean_cb_or_b: 2, mean_cr_or_r: 3 };
    s.params.ae.exp_mean = [9, 8, 7];
    s.params.ae.bls_val = { meas_r: 64, meas_gr: 65, meas_gb: 66, meas_b: 67 };
    s.params.af.window = [{ sum: 1, lum: 2 }, { sum: 3, lum: 4 }, { sum: 5, lum: 6 }];
    s.params.hist.hist_bins = [16, 32];
    const bytes = encodeStats(s);
    const v = new DataView(bytes.buffer);
    expect(v.getUint32(8, true)).toBe(100);
    expect([bytes[12], bytes[13], bytes[14], bytes[15]]).toEqual([1, 2, 3, 0]);
    expect([bytes[16], bytes[17], bytes[18], bytes[19]]).toEqual([9, 8, 7, 0]);
    expect(v.getUint16(98, true)).toBe(64);
    expect(v.getUint16(104, true)).toBe(67);
    expect(v.getUint32(108, true)).toBe(1);
    expect(v.getUint32(128, true)).toBe(6);
    expect(v.getUint32(136, true)).toBe(32);
    const back = readStats(bytes, IspVersion.V10);
    expect(back.aeMeans.slice(0, 4)).toEqual([9, 8, 7, 0]);
    expect(back.histogramBins.slice(0, 3)).toEqual([16, 32, 0]);
    expect(back.bls).toEqual({ meas_r: 64, meas_gr: 65, meas_gb: 66, meas_b: 67 });
    expect(() => decodeStats(new Uint8Array(259))).toThrow(StatsSizeError);
  });

  it("reads the IPA's view as the whole struct's, cut to the revision, from every byte, and refuses a short buffer", () => {
    const bytes = Uint8Array.from({ length: STAT_BUFFER_SIZE }, (_, i) => (i * 29 + 5) & 0xff);
    const s = decodeStats(bytes);
    for (const version of [IspVersion.V10, IspVersion.V12]) {
      const sizes = revisionSizes(version);
      expect(readStats(bytes, version)).toEqual({
        measType: s.meas_type, frameId: s.frame_id, awb: s.params.awb.awb_mean[0], aeMeans: s.params.ae.exp_mean.slice(0, sizes.aeMeans),
        bls: s.params.ae.bls_val, af: s.params.af.window, histogramBins: s.params.hist.hist_bins.slice(0, sizes.histogramBins),
      });
    }
    expect(() => readStats(new Uint8Array(259), IspVersion.V10)).toThrow(StatsSizeError);
  });
});

describe('rkisp1 extensible parameters: malformed buffers', () => {
  const good = () => {
    const b = new ExtParamsBuilder();
    b.add(BlockType.AWB_GAIN, { gain_red: 256, gain_green_r: 256, gain_blue: 300, gain_green_b: 256 }, BlockFlag.ENABLE);
    b.add(BlockType.BDM, { demosaic_th: 4 });
    return Uint8Array.from(b.bytes());
  };
  const refused = (bytes: Uint8Array): ExtParamsError => {
    try {
      parseExtParams(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(ExtParamsError);
      return e as ExtParamsError;
    }
    throw new Error('accepted a malformed buffer');
  };
  const set32 = (b: Uint8Array, off: number, x: number) => new DataView(b.buffer).setUint32(off, x, true);
  const set16 = (b: Uint8Array, off: number, x: number) => new DataView(b.buffer).setUint16(off, x, true);

  it('accepts the good one', () => {
    const parsed = parseExtParams(good());
    expect(parsed.blocks.map((b) => [b.type, b.flags])).toEqual([[BlockType.AWB_GAIN, BlockFlag.ENABLE], [BlockType.BDM, 0]]);
    expect(parsed.blocks[1]!.config).toEqual({ demosaic_th: 4 });
  });

  it('truncated header', () => {
    const e = refused(good().subarray(0, 6));
    expect([e.problem, e.blockIndex]).toEqual(['truncated-header', undefined]);
  });

  it('unsupported version', () => {
    const b = good();
    set32(b, 0, 2);
    expect(refused(b).problem).toBe('unsupported-version');
  });

  it('data_size disagreeing with the used bytes', () => {
    const b = good();
    set32(b, 4, 16);
    const e = refused(b);
    expect([e.problem, e.blockIndex]).toEqual(['data-size-mismatch', undefined]);
    expect(refused(good().subarray(0, 30)).problem).toBe('data-size-mismatch');
  });

  it('block size past the end', () => {
    const b = good();
    set32(b, 8 + 16 + 4, 24); // the BDM block claims 24 bytes, 16 are left
    const e = refused(b);
    expect([e.problem, e.blockIndex]).toEqual(['size-past-end', 1]);
    expect(e.message).toMatch(/block 1: size-past-end/);
  });

  it('truncated block header', () => {
    const b = new Uint8Array(8 + 16 + 4);
    b.set(good().subarray(0, 24));
    set32(b, 4, 20);
    const e = refused(b);
    expect([e.problem, e.blockIndex]).toEqual(['truncated-block-header', 1]);
  });

  it('unknown type', () => {
    const b = good();
    set16(b, 8, 21);
    const e = refused(b);
    expect([e.problem, e.blockIndex]).toEqual(['unknown-type', 0]);
    expect(e.message).toMatch(/type 21/);
  });

  it('size not matching the type', () => {
    const b = good();
    set16(b, 8 + 16, BlockType.AWB_GAIN); // 16 bytes are right for AWB_GAIN: still fine
    expect(parseExtParams(b).blocks[1]!.type).toBe(BlockType.AWB_GAIN);
    set16(b, 8 + 16, BlockType.CTK); // CTK is 32
    const e = refused(b);
    expect([e.problem, e.blockIndex]).toEqual(['wrong-size', 1]);
    expect(e.message).toMatch(/CTK block of size 16, its struct is 32/);
    const c = good();
    set32(c, 8 + 4, 8); // a header-only AWB_GAIN
    expect(refused(c).problem).toBe('wrong-size');
  });

  it('both enable and disable', () => {
    const b = good();
    set16(b, 10, BlockFlag.ENABLE | BlockFlag.DISABLE);
    expect([refused(b).problem, refused(b).blockIndex]).toEqual(['conflicting-flags', 0]);
  });

  it('the builder refuses to overrun its buffer', () => {
    const b = new ExtParamsBuilder(new Uint8Array(8 + 16));
    b.add(BlockType.BDM, { demosaic_th: 1 });
    expect(() => b.add(BlockType.BDM, { demosaic_th: 1 })).toThrow(/out of space/);
  });

  it('every block type round-trips through the builder and the parser', () => {
    const blocks = ALL_TYPES.map((t, i) => ({ type: t, flags: i % 3, config: filledConfig(t, i) }) as ExtBlock);
    const bytes = encodeExtParams(blocks);
    expect(bytes.byteLength).toBe(EXT_PARAMS_BUFFER_SIZE);
    const parsed = parseExtParams(bytes);
    expect(parsed.blocks).toEqual(blocks);
    expect(toHex(encodeExtParams(parsed.blocks))).toBe(toHex(bytes));
  });
});

describe('rkisp1 legacy parameters (rkisp1_params_cfg)', () => {
  it('block offsets: each config where the C struct has it, without overlap', () => {
    const spans = Object.entries(LEGACY_BLOCKS)
      .map(([t, info]) => [info.offset, info.offset + BLOCK_CODECS[Number(t) as BlockType].size, Number(t)] as const)
      .sort((a, b) => a[0] - b[0]);
    expect(spans[0]![0]).toBe(12);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0], BlockType[spans[i]![2]]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    expect(spans.at(-1)![1]).toBe(3046); // ie_config ends at 3046, padded to 3048
  });

  it('the builder sets update bits as libcamera does and decode/encode round-trip', () => {
    const b = new LegacyParamsBuilder(new Uint8Array(LEGACY_PARAMS_SIZE).fill(0xff));
    b.set(BlockType.AWB_GAIN, { gain_red: 300, gain_green_r: 256, gain_blue: 200, gain_green_b: 256 }, true);
    b.set(BlockType.AEC_MEAS, { mode: 1, autostop: 0, meas_window: { h_offs: 1, v_offs: 2, h_size: 3, v_size: 4 } }, true);
    b.set(BlockType.LSC, filledConfig(BlockType.LSC, 3) as never);
    b.set(BlockType.BLS, filledConfig(BlockType.BLS, 5) as never, true);
    b.setEnabled(BlockType.BLS, false);
    const bytes = b.bytes();
    expect(b.bytesused).toBe(3048);
    const p = decodeLegacyParams(bytes);
    const touched = Module.AWB_GAIN | Module.AEC | Module.LSC | Module.BLS;
    expect(p.module_cfg_update).toBe(touched);
    expect(p.module_en_update).toBe(touched);
    expect(p.module_ens).toBe(Module.AWB_GAIN | Module.AEC);
    expect(p.others.awb_gain_config).toEqual({ gain_red: 300, gain_green_r: 256, gain_blue: 200, gain_green_b: 256 });
    expect(new DataView(bytes.buffer).getUint16(2792, true)).toBe(300);
    expect(new DataView(bytes.buffer).getUint32(128, true)).toBe(1);
    expect(p.meas.aec_config.meas_window).toEqual({ h_offs: 1, v_offs: 2, h_size: 3, v_size: 4 });
    expect(p.others.lsc_config).toEqual(filledConfig(BlockType.LSC, 3));
    expect(toHex(encodeLegacyParams(p))).toBe(toHex(bytes));
  });

  it('every legacy config round-trips at its offset', () => {
    const b = new LegacyParamsBuilder();
    for (const t of Object.keys(LEGACY_BLOCKS).map(Number) as (keyof typeof LEGACY_BLOCKS)[]) b.set(t, filledConfig(t, t) as never, t % 2 === 0);
    const p = decodeLegacyParams(b.bytes());
    for (const [t, info] of Object.entries(LEGACY_BLOCKS)) {
      const group = p[info.group] as unknown as Record<string, unknown>;
      expect(group[info.field], info.field).toEqual(filledConfig(Number(t), Number(t)));
    }
    expect(toHex(encodeLegacyParams(p))).toBe(toHex(b.bytes()));
  });
});
