"""The default responsibility list (责任清单): two category trees, 事件 (events) and 部件 (city components).

Plain data, no ORM: grids.services.categories.category_seed_defaults writes it (idempotent by code), after which a
district official edits it on the category pages or through Excel.

Codes (unique across both trees; a child's code starts with its parent's code):
- events      大类 "01".."07", 小类 "0101", 细类 "010101";
- components  大类 "B01".."B04", 小类 "B0101", 细类 "B010101" (the B keeps them apart from event codes).

Each 细类 (leaf) carries the handling level (grid / community / street / department), the responsible department
as a *key* (a short name matched inside the department names of the district, e.g. "住建局" matches
"示范区住房和城乡建设局（住建局）"), the time limits in hours, the 立案条件 / 结案条件 and search keywords.

Time limits **[config]** follow DOMAIN.md: sign for (签收) within 24 h; handle general matters in 7 days, complex ones
in 15 days, water/power/gas/heating in 24 h; hazards are signed for within 2 h and handled in 24 h, 2 h when
reported as an emergency; matters that are emergencies by nature (gas leak) are signed for in 1 h, handled in 2 h.
"""

from dataclasses import dataclass

GRID, COMMUNITY, STREET, DEPARTMENT = "grid", "community", "street", "department"


@dataclass(frozen=True)
class Limits:
    sign_for_hours: int
    handle_hours: int
    urgent_handle_hours: int | None = None
    emergency_handle_hours: int | None = None


GENERAL = Limits(24, 7 * 24, 72)  # 一般诉求: 7 days; 3 days when urgent
COMPLEX = Limits(24, 15 * 24, 7 * 24)  # 复杂疑难: 15 days
UTILITY = Limits(2, 24, 12, 2)  # 水电气热: 24 h; 2 h in an emergency (burst main, outage with people trapped)
HAZARD = Limits(2, 24, 8, 2)  # safety hazards: made safe within 24 h, 2 h when reported as an emergency
EMERGENCY = Limits(1, 2)  # emergencies by nature (突发事件): 2 h


@dataclass(frozen=True)
class Leaf:
    code: str
    name: str
    level: str
    department: str  # department key ("" = none), see the module docstring
    limits: Limits
    opening: str  # 立案条件
    closing: str  # 结案条件
    keywords: str = ""


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    children: tuple  # of Node or Leaf
    keywords: str = ""


# Department keys used below; each matches one department of the demo district (派出所 matches both police
# stations, so those items stay with the street centre, which dispatches by jurisdiction).
DEPARTMENT_KEYS = ("城管执法局", "住建局", "市场监管局", "生态环境局", "民政局", "派出所", "供水公司", "供电公司", "燃气公司")

EVENT_TREE = (
    Node("01", "市容环境", (
        Node("0101", "环境卫生", (
            Leaf("010101", "暴露垃圾", COMMUNITY, "城管执法局", GENERAL,
                 "道路、广场、绿地等公共区域有暴露堆放的生活垃圾或杂物，面积1平方米以上。",
                 "垃圾清运完毕，现场无明显残留。", "垃圾 堆放 杂物 脏乱"),
            Leaf("010102", "道路不洁", STREET, "城管执法局", GENERAL,
                 "城市道路、人行道有明显污渍、泥土、油污或散落物，影响通行或市容。",
                 "路面清扫冲洗干净，无明显污渍。", "路面 脏 油污 泥土 清扫"),
            Leaf("010103", "积存渣土", DEPARTMENT, "城管执法局", GENERAL,
                 "公共区域积存建筑渣土、工程弃土未清运，或渣土车沿途遗撒。",
                 "渣土清运完毕，遗撒路段冲洗干净。", "渣土 建筑垃圾 遗撒 渣土车"),
            Leaf("010104", "垃圾桶满溢", GRID, "城管执法局", GENERAL,
                 "垃圾桶（箱）满溢，或桶（箱）周边散落垃圾。",
                 "垃圾已清运，桶（箱）及周边干净。", "垃圾桶 垃圾箱 满溢 溢出"),
        )),
        Node("0102", "违法建设", (
            Leaf("010201", "私搭乱建", DEPARTMENT, "城管执法局", COMPLEX,
                 "未经批准在公共区域、楼顶、小区内搭建建筑物或构筑物。",
                 "违法建设已拆除或已依法处理，现场恢复原状。", "违建 违章建筑 搭建 彩钢房 楼顶"),
            Leaf("010202", "圈占公共绿地", DEPARTMENT, "城管执法局", COMPLEX,
                 "擅自圈占、毁坏公共绿地种菜、堆物或设置围栏。",
                 "圈占设施已拆除，绿地恢复。", "绿地 种菜 围栏 圈地"),
        )),
        Node("0103", "宣传广告", (
            Leaf("010301", "非法小广告", GRID, "城管执法局", GENERAL,
                 "墙面、电杆、楼道等处张贴、涂写、喷涂小广告，面积0.1平方米以上或3处以上。",
                 "小广告已清除，墙面无明显痕迹。", "小广告 牛皮癣 涂写 喷涂 张贴"),
            Leaf("010302", "违规户外广告", DEPARTMENT, "城管执法局", COMPLEX,
                 "未经审批设置户外广告、条幅，或广告设施破损有坠落风险。",
                 "违规广告已拆除或已补办审批，破损设施已修复。", "广告牌 条幅 横幅 户外广告"),
        )),
    )),
    Node("02", "城市管理", (
        Node("0201", "街面秩序", (
            Leaf("020101", "占道经营", DEPARTMENT, "城管执法局", GENERAL,
                 "在道路、人行道、广场等公共区域摆摊设点经营。",
                 "摊点已撤离，占用区域清理干净。", "摆摊 小贩 占道 游商 早市"),
            Leaf("020102", "无照经营", DEPARTMENT, "市场监管局", GENERAL,
                 "未取得营业执照从事经营活动。",
                 "经营者已停止经营或已办理营业执照。", "无照 营业执照 黑店"),
            Leaf("020103", "店外经营", STREET, "城管执法局", GENERAL,
                 "临街商户超出门窗、外墙摆卖、作业或堆放物品。",
                 "店外物品已收回，恢复通行。", "出店经营 门前 摆卖 修车"),
            Leaf("020104", "共享单车乱停放", STREET, "", GENERAL,
                 "共享单车大量堆积或停放在盲道、出入口、机动车道，影响通行。",
                 "车辆已清理或摆放整齐，通道畅通。", "共享单车 单车 乱停 堆积"),
        )),
        Node("0202", "施工管理", (
            Leaf("020201", "夜间施工扰民", DEPARTMENT, "城管执法局", GENERAL,
                 "22时至次日6时在居住区附近进行产生噪声的施工，且未持夜间施工许可。",
                 "施工已停止，或核实持有夜间施工许可并落实降噪措施。", "夜间施工 噪音 工地 扰民"),
            Leaf("020202", "工地扬尘", DEPARTMENT, "住建局", GENERAL,
                 "施工工地裸土未覆盖、未洒水降尘，或运输车辆带泥上路。",
                 "裸土已覆盖，降尘措施落实，出场车辆冲洗。", "扬尘 裸土 工地 覆盖 尘土"),
            Leaf("020203", "施工占道", DEPARTMENT, "城管执法局", GENERAL,
                 "施工超出审批范围占用道路，或未设置围挡、警示标志。",
                 "已恢复至审批范围，围挡及警示标志设置到位。", "施工 占道 围挡 挖路"),
        )),
    )),
    Node("03", "安全生产", (
        Node("0301", "消防安全", (
            Leaf("030101", "占用堵塞消防通道", COMMUNITY, "", HAZARD,
                 "楼道、消防车通道堆放杂物或停放车辆，影响疏散和消防车通行。",
                 "杂物已清理、车辆已挪走，通道畅通。", "消防通道 楼道堆物 杂物 堵塞"),
            Leaf("030102", "电动自行车违规停放充电", GRID, "", HAZARD,
                 "在楼道、楼梯间、安全出口停放电动自行车或“飞线”充电。",
                 "车辆已移出，私拉电线已拆除。", "电动车 电瓶车 飞线充电 充电 楼道"),
            Leaf("030103", "楼内消防设施损坏", STREET, "", GENERAL,
                 "楼内灭火器、消火栓箱、应急照明、疏散指示等消防设施缺失、损坏或过期。",
                 "消防设施已补齐、修复或更换。", "灭火器 消火栓箱 应急灯 疏散指示"),
        )),
        Node("0302", "燃气安全", (
            Leaf("030201", "燃气泄漏", DEPARTMENT, "燃气公司", EMERGENCY,
                 "室内外闻到明显燃气异味，或燃气管道、阀门、表具漏气。",
                 "漏点已封堵修复，检测无泄漏后恢复供气。", "燃气 煤气 天然气 漏气 异味"),
            Leaf("030202", "违规使用瓶装液化气", DEPARTMENT, "城管执法局", HAZARD,
                 "餐饮场所或居民违规使用、存放瓶装液化气，或使用无检验标识的气瓶。",
                 "违规气瓶已清除，改用合规气源。", "液化气 煤气罐 气瓶 钢瓶"),
        )),
        Node("0303", "生产经营安全", (
            Leaf("030301", "“三合一”场所", STREET, "", HAZARD,
                 "生产、经营、储存场所与住人混合（三合一），未进行有效防火分隔。",
                 "住人已清出，或已按要求完成防火分隔。", "三合一 住人 仓库 作坊"),
            Leaf("030302", "特种设备安全隐患", DEPARTMENT, "市场监管局", HAZARD,
                 "锅炉、压力容器、起重机械等特种设备无检验合格标志或存在明显隐患。",
                 "设备已停用整改，检验合格后恢复使用。", "特种设备 锅炉 压力容器 起重机"),
            Leaf("030303", "建筑施工安全隐患", DEPARTMENT, "住建局", HAZARD,
                 "施工现场脚手架、塔吊、基坑等存在坍塌、坠落等明显隐患。",
                 "隐患已整改，经核查符合安全要求。", "脚手架 塔吊 基坑 坍塌 工地"),
        )),
    )),
    Node("04", "环境保护", (
        Node("0401", "大气污染", (
            Leaf("040101", "露天焚烧", DEPARTMENT, "生态环境局", Limits(24, 24, 12, 2),
                 "露天焚烧垃圾、落叶、秸秆或其他废弃物。",
                 "明火已扑灭，焚烧物已清理，行为人已依法处理。", "焚烧 烧垃圾 冒烟 烧树叶"),
            Leaf("040102", "餐饮油烟扰民", DEPARTMENT, "生态环境局", COMPLEX,
                 "餐饮单位未安装油烟净化设施或未正常使用，油烟直排影响居民。",
                 "已安装或修复油烟净化设施并正常使用。", "油烟 饭店 餐馆 排烟"),
        )),
        Node("0402", "水污染", (
            Leaf("040201", "污水直排", DEPARTMENT, "生态环境局", COMPLEX,
                 "单位或个人向雨水管网、河道直接排放污水。",
                 "排放已停止，违规排口已封堵，已依法处理。", "污水 排污 直排 河道"),
            Leaf("040202", "河湖水面漂浮物", STREET, "", GENERAL,
                 "河道、湖面有成片漂浮垃圾、死鱼，或水体明显变色发臭。",
                 "漂浮物已打捞清理，水面无明显垃圾。", "河道 漂浮物 死鱼 发臭 河长"),
        )),
        Node("0403", "噪声污染", (
            Leaf("040301", "社会生活噪声", DEPARTMENT, "派出所", GENERAL,
                 "商业经营、娱乐场所或居民活动使用音响等产生噪声，干扰他人正常生活。",
                 "噪声已停止或降至规定限值以下。", "噪音 音响 广场舞 装修 扰民"),
            Leaf("040302", "工业企业噪声", DEPARTMENT, "生态环境局", COMPLEX,
                 "工业企业设备运行噪声超过排放标准，影响周边居民。",
                 "企业已采取降噪措施，监测达标。", "工厂 设备 噪声 超标"),
        )),
    )),
    Node("05", "社会治安", (
        Node("0501", "治安隐患", (
            Leaf("050101", "可疑人员物品", DEPARTMENT, "派出所", EMERGENCY,
                 "发现形迹可疑人员或来历不明的可疑物品。",
                 "公安机关已到场核查处置。", "可疑 陌生人 可疑物品 报警"),
            Leaf("050102", "群租房", STREET, "", COMPLEX,
                 "房屋违规打隔断分割出租，或人均居住面积明显低于规定标准。",
                 "隔断已拆除恢复原状，租住人员已登记。", "群租 隔断 出租屋 二房东"),
            Leaf("050103", "出租房屋未登记", GRID, "", GENERAL,
                 "出租房屋及承租人员未按规定登记。",
                 "出租房屋及承租人员信息已登记。", "出租 租房 登记 流动人口"),
        )),
        Node("0502", "矛盾纠纷", (
            Leaf("050201", "邻里纠纷", COMMUNITY, "", GENERAL,
                 "邻里之间因噪声、漏水、占用公共空间等发生纠纷，当事人请求调解。",
                 "调解已达成协议，或已告知当事人其他解决途径。", "邻居 纠纷 调解 矛盾"),
            Leaf("050202", "家庭纠纷", COMMUNITY, "", GENERAL,
                 "家庭成员之间发生纠纷，当事人求助或有激化风险。",
                 "调解完成并已回访，无激化风险。", "家庭 吵架 婚姻 赡养"),
            Leaf("050203", "劳资纠纷", STREET, "", COMPLEX,
                 "用人单位拖欠工资等引发劳动者投诉。",
                 "工资已支付到位，或已引导进入劳动仲裁。", "欠薪 工资 拖欠 农民工"),
        )),
        Node("0503", "救助管理", (
            Leaf("050301", "流浪乞讨人员", DEPARTMENT, "民政局", Limits(2, 24, 12, 2),
                 "发现流浪乞讨人员需要救助或护送。",
                 "已由救助站接收救助或护送返乡。", "流浪 乞讨 救助 露宿"),
        )),
    )),
    Node("06", "民生服务", (
        Node("0601", "供水", (
            Leaf("060101", "停水", DEPARTMENT, "供水公司", UTILITY,
                 "非计划停水，或计划停水超过公告时间未恢复。",
                 "已恢复供水，或已告知原因及预计恢复时间。", "停水 没水 自来水 水压低"),
            Leaf("060102", "供水管道破裂", DEPARTMENT, "供水公司", UTILITY,
                 "供水管道、阀门破裂漏水，路面冒水。",
                 "漏点已修复，路面已恢复。", "爆管 漏水 冒水 水管"),
            Leaf("060103", "水质异常", DEPARTMENT, "供水公司", UTILITY,
                 "自来水浑浊、有异味或颜色异常。",
                 "水质检测合格，已告知用户。", "水质 浑浊 黄水 异味"),
        )),
        Node("0602", "供电", (
            Leaf("060201", "停电", DEPARTMENT, "供电公司", UTILITY,
                 "非计划停电，或计划停电超过公告时间未恢复。",
                 "已恢复供电，或已告知原因及预计恢复时间。", "停电 没电 断电 跳闸"),
            Leaf("060202", "电力线路隐患", DEPARTMENT, "供电公司", UTILITY,
                 "电力线路断落、低垂、私拉乱接，或配电设施冒烟打火。",
                 "线路已修复，隐患已消除。", "电线 断线 打火 私拉电线"),
        )),
        Node("0603", "燃气供热", (
            Leaf("060301", "燃气停气", DEPARTMENT, "燃气公司", UTILITY,
                 "非计划停气，或燃气压力不足无法正常使用。",
                 "已恢复供气，或已告知原因及预计恢复时间。", "停气 燃气 天然气 没气"),
            Leaf("060302", "供暖不热", DEPARTMENT, "住建局", UTILITY,
                 "采暖期内室温低于18℃，或暖气管道漏水。",
                 "室温达标或漏点已修复，已告知用户。", "暖气 供暖 不热 采暖 供热"),
        )),
        Node("0604", "社会保障", (
            Leaf("060401", "困难群众救助", DEPARTMENT, "民政局", GENERAL,
                 "居民因生活困难申请低保、临时救助等，或发现困难群众需要帮扶。",
                 "已受理并告知办理结果或进度。", "低保 救助 困难 补助"),
            Leaf("060402", "独居老人关爱", COMMUNITY, "", GENERAL,
                 "独居、空巢老人需要探访、照料或出现异常情况。",
                 "已上门探访并落实帮扶措施。", "独居老人 空巢 探访 养老"),
            Leaf("060403", "残疾人帮扶", COMMUNITY, "民政局", GENERAL,
                 "残疾人需要生活帮扶、辅具申领或无障碍设施改造。",
                 "已落实帮扶措施或告知办理途径。", "残疾人 辅具 无障碍 帮扶"),
        )),
    )),
    Node("07", "物业管理", (
        Node("0701", "物业服务", (
            Leaf("070101", "电梯故障", DEPARTMENT, "市场监管局", UTILITY,
                 "住宅电梯停运、运行异常，或发生困人。",
                 "电梯已修复并正常运行，困人已解救。", "电梯 困人 停运 故障"),
            Leaf("070102", "楼道照明损坏", COMMUNITY, "", GENERAL,
                 "楼道、单元门口照明灯不亮。",
                 "照明已修复。", "楼道灯 声控灯 不亮 照明"),
            Leaf("070103", "小区保洁不到位", COMMUNITY, "", GENERAL,
                 "小区内垃圾清运不及时、公共区域长期无人清扫。",
                 "物业已清扫清运，保洁恢复正常。", "物业 保洁 卫生 清扫"),
            Leaf("070104", "物业服务纠纷", STREET, "住建局", COMPLEX,
                 "业主与物业服务企业因收费、服务质量、公共收益等发生纠纷。",
                 "经调解达成一致，或已告知行政主管部门及其他解决途径。", "物业费 物业公司 业委会 纠纷"),
        )),
        Node("0702", "房屋安全", (
            Leaf("070201", "房屋渗漏", COMMUNITY, "", GENERAL,
                 "屋面、外墙或楼上渗漏水，影响居住。",
                 "渗漏已修复，或已明确维修责任并告知当事人。", "漏水 渗水 屋顶 外墙"),
            Leaf("070202", "外墙脱落隐患", DEPARTMENT, "住建局", HAZARD,
                 "建筑外墙保温层、瓷砖、空调支架等松动脱落，危及行人。",
                 "危险区域已设警戒，脱落部位已修复加固。", "外墙 脱落 瓷砖 保温层 空调架"),
        )),
        Node("0703", "小区秩序", (
            Leaf("070301", "小区内乱停车", COMMUNITY, "", GENERAL,
                 "小区内车辆占用消防通道以外的公共通道、绿地乱停乱放。",
                 "车辆已挪走，停车秩序恢复。", "停车 车位 乱停 僵尸车"),
            Leaf("070302", "违规饲养犬只", DEPARTMENT, "派出所", GENERAL,
                 "饲养烈性犬、大型犬，或遛犬不拴绳、犬只伤人。",
                 "犬只已依法处理，养犬人已登记或整改。", "养狗 遛狗 犬只 狗咬人 拴绳"),
        )),
    )),
)

COMPONENT_TREE = (
    Node("B01", "公用设施", (
        Node("B0101", "井盖", (
            Leaf("B010101", "上水井盖", DEPARTMENT, "供水公司", HAZARD,
                 "上水（自来水）井盖缺失、破损、移位，或与路面高差超过2厘米。",
                 "井盖已补齐、更换或复位，路面平整。", "井盖 缺失 破损 自来水"),
            Leaf("B010102", "污水井盖", DEPARTMENT, "住建局", HAZARD,
                 "污水井盖缺失、破损、移位，或污水外溢。",
                 "井盖已补齐、更换或复位，外溢已清理。", "井盖 污水 冒水 外溢"),
            Leaf("B010103", "雨水井盖（箅子）", DEPARTMENT, "住建局", HAZARD,
                 "雨水井盖、雨水箅子缺失、破损或堵塞。",
                 "井盖、箅子已补齐或更换，排水畅通。", "雨水箅子 雨水口 井盖 堵塞"),
            Leaf("B010104", "电力井盖", DEPARTMENT, "供电公司", HAZARD,
                 "电力井盖缺失、破损、移位或响动。",
                 "井盖已补齐、更换或复位。", "井盖 电力"),
            Leaf("B010105", "燃气井盖", DEPARTMENT, "燃气公司", HAZARD,
                 "燃气井盖缺失、破损、移位，或井内有燃气异味。",
                 "井盖已补齐、更换或复位，检测无泄漏。", "井盖 燃气 天然气"),
        )),
        Node("B0102", "供电照明", (
            Leaf("B010201", "路灯", DEPARTMENT, "城管执法局", GENERAL,
                 "路灯不亮、白天常亮、灯杆倾斜或灯具破损。",
                 "路灯已修复并正常亮灭，灯杆扶正加固。", "路灯 不亮 灯杆"),
            Leaf("B010202", "变压器、配电箱", DEPARTMENT, "供电公司", HAZARD,
                 "变压器、配电箱门缺失、破损，或有异响、冒烟。",
                 "设施已修复，箱门关闭上锁。", "变压器 配电箱 电箱"),
            Leaf("B010203", "电线杆", DEPARTMENT, "供电公司", HAZARD,
                 "电线杆倾斜、断裂或拉线松脱。",
                 "电线杆已扶正或更换，拉线紧固。", "电线杆 电杆 倾斜"),
        )),
        Node("B0103", "消防设施", (
            Leaf("B010301", "市政消火栓", DEPARTMENT, "供水公司", Limits(24, 7 * 24, 24, 2),
                 "市政消火栓缺失、损坏、漏水，或被圈占遮挡。",
                 "消火栓已修复或更换，周边无遮挡，出水正常。", "消防栓 消火栓 漏水"),
        )),
        Node("B0104", "文体设施", (
            Leaf("B010401", "健身器材", COMMUNITY, "", GENERAL,
                 "公共健身器材破损、松动或有尖锐部件，存在伤人风险。",
                 "器材已修复或拆除，并设置警示。", "健身器材 健身器械 运动器材"),
            Leaf("B010402", "报刊亭、信息亭", STREET, "", GENERAL,
                 "报刊亭、信息亭破损、废弃或违规经营。",
                 "亭体已修复或拆除。", "报刊亭 信息亭"),
        )),
    )),
    Node("B02", "道路交通", (
        Node("B0201", "交通设施", (
            Leaf("B020101", "公交站亭", STREET, "", GENERAL,
                 "公交站亭顶棚、灯箱、座椅、站牌破损或缺失。",
                 "站亭设施已修复。", "公交站 站台 候车亭 站牌"),
            Leaf("B020102", "道路护栏", STREET, "", GENERAL,
                 "道路隔离护栏、人行道护栏倒伏、缺失或破损。",
                 "护栏已扶正、补齐或更换。", "护栏 隔离栏 栏杆"),
            Leaf("B020103", "路名牌、门楼牌", DEPARTMENT, "民政局", GENERAL,
                 "路名牌、门楼牌缺失、破损、字迹不清或标注错误。",
                 "标牌已更换或修复，信息准确。", "路牌 路名牌 门牌 地名"),
        )),
        Node("B0202", "道路设施", (
            Leaf("B020201", "人行道破损", DEPARTMENT, "住建局", GENERAL,
                 "人行道方砖松动、缺失、破损，或盲道被损坏。",
                 "人行道已修复平整，盲道连续。", "人行道 方砖 盲道 坑洼"),
            Leaf("B020202", "路面塌陷", DEPARTMENT, "住建局", HAZARD,
                 "道路路面出现塌陷、空洞或明显沉降。",
                 "现场已设围挡警示，塌陷已修复，路面恢复通行。", "塌陷 坑 路面 沉降 空洞"),
            Leaf("B020203", "过街天桥、地下通道", DEPARTMENT, "住建局", COMPLEX,
                 "过街天桥、地下通道结构破损、照明缺失或积水。",
                 "设施已修复，照明正常，无积水。", "天桥 地下通道 过街"),
        )),
    )),
    Node("B03", "市容环境设施", (
        Node("B0301", "环卫设施", (
            Leaf("B030101", "果皮箱", STREET, "", GENERAL,
                 "道路果皮箱缺失、破损或倾倒。",
                 "果皮箱已补齐、更换或扶正。", "果皮箱 垃圾箱 废物箱"),
            Leaf("B030102", "公共厕所", DEPARTMENT, "城管执法局", GENERAL,
                 "公共厕所设施损坏、卫生差或未按时开放。",
                 "设施已修复，保洁到位，正常开放。", "公厕 厕所 卫生间"),
            Leaf("B030103", "垃圾分类投放点", COMMUNITY, "", GENERAL,
                 "垃圾分类桶站缺桶、破损、标识不清或无人值守。",
                 "桶站设施补齐，标识清晰。", "垃圾分类 桶站 投放点"),
        )),
        Node("B0302", "广告牌匾", (
            Leaf("B030201", "牌匾标识", DEPARTMENT, "城管执法局", HAZARD,
                 "商户牌匾、标识破损、松动，有坠落风险。",
                 "危险牌匾已拆除或加固。", "牌匾 招牌 门头 坠落"),
        )),
    )),
    Node("B04", "园林绿化", (
        Node("B0401", "树木", (
            Leaf("B040101", "行道树", STREET, "", HAZARD,
                 "行道树倒伏、断枝、枯死，或遮挡交通标志、路灯。",
                 "倒伏树木已扶正或清除，断枝已修剪。", "树 倒伏 断枝 枯树 修剪"),
            Leaf("B040102", "古树名木", STREET, "", COMPLEX,
                 "古树名木受损、长势衰弱或保护设施损坏。",
                 "已采取复壮、修复保护设施等措施。", "古树 名木 保护"),
        )),
        Node("B0402", "绿地设施", (
            Leaf("B040201", "绿地", STREET, "", GENERAL,
                 "公共绿地踩踏裸露、缺株断垄或杂草丛生。",
                 "绿地已补植修复，杂草清除。", "绿地 草坪 裸露 补植"),
            Leaf("B040202", "街头座椅", STREET, "", GENERAL,
                 "街头座椅破损、松动或缺失。",
                 "座椅已修复或更换。", "座椅 长椅 休闲椅"),
        )),
    )),
)

TREES = {"event": EVENT_TREE, "component": COMPONENT_TREE}


def walk(nodes, parent_code: str | None = None, depth: int = 1):
    """(parent code, depth, node or leaf) for every entry, parents before children, in code order."""
    for node in nodes:
        yield parent_code, depth, node
        if isinstance(node, Node):
            yield from walk(node.children, node.code, depth + 1)
