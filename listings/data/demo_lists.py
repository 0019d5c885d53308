"""The demo district's lists (示范区, code 110199): data only, loaded by listings.services.demo.seed_demo_lists.

Sources (see /work/shared/reference/china-practice.md §4):
- 依法自治事项: the tasks the 城市居民委员会组织法 (art. 3, 4, 9–10, 13, 15) and 宪法 art. 111 give residents'
  committees; items resting on a statute are real (not sample), items resting on policy documents are marked sample.
- 依法协助政府工作事项: a plausible set of 27 items in the manner of Chongqing's 27 协助事项; the statutes cited
  are real, the selection, assistance methods and funding figures are illustrative (sample).
- 严禁作为责任主体事项: 7 kinds of responsibility (Chongqing's count); the item names are not published, so these
  are plausible reconstructions (sample).
- 不得出具的证明: the national list of 20 certificates committees must not issue (民政部等六部门, 2020), each with
  the office that issues it or handles the matter instead (real list; the offices are the usual ones).
- 出具证明事项 and 社区小微权力清单: short illustrative lists (sample).

Departments are given by the suffix of the demo department codes (grids.services.demo.DEPARTMENTS, e.g. "MZ" for
110199-MZ 示范区民政局); an office that is not a demo department goes in `body`.
"""

import datetime

VALID_FROM = datetime.date(2024, 1, 1)


def item(code, name, basis, **fields) -> dict:
    return {"code": code, "name": name, "legal_basis": basis, **fields}


ZZ_LAW = "《中华人民共和国城市居民委员会组织法》"
SELF_GOVERNANCE = (
    item("ZZ-01", "宣传宪法、法律、法规和国家的政策", ZZ_LAW + "第三条第（一）项",
         description="通过居民会议、宣传栏、楼门院长和线上群组宣传法律法规和政策。", keywords="普法 政策宣传"),
    item("ZZ-02", "维护居民的合法权益，教育居民履行依法应尽的义务，爱护公共财产", ZZ_LAW + "第三条第（一）项",
         keywords="居民权益"),
    item("ZZ-03", "开展多种形式的社会主义精神文明建设活动和群众性文化体育活动", ZZ_LAW + "第三条第（一）项",
         keywords="文明 文体活动"),
    item("ZZ-04", "办理本居住地区居民的公共事务和公益事业", ZZ_LAW + "第三条第（二）项", keywords="公共事务 公益"),
    item("ZZ-05", "调解民间纠纷（人民调解委员会）", ZZ_LAW + "第三条第（三）项、第十三条；《中华人民共和国人民调解法》第八条",
         keywords="调解 纠纷"),
    item("ZZ-06", "组织居民开展群防群治，协助维护社会治安（治安保卫委员会）", ZZ_LAW + "第三条第（四）项、第十三条",
         keywords="治安 群防群治"),
    item("ZZ-07", "协助人民政府做好与居民利益有关的公共卫生、优抚救济、青少年教育等工作（具体事项见依法协助政府工作事项清单）",
         ZZ_LAW + "第三条第（五）项", keywords=""),
    item("ZZ-08", "向人民政府或者它的派出机关反映居民的意见、要求和提出建议", ZZ_LAW + "第三条第（六）项",
         keywords="民意 建议"),
    item("ZZ-09", "开展便民利民的社区服务活动，兴办有关的服务事业", ZZ_LAW + "第四条第一款", keywords="便民服务"),
    item("ZZ-10", "管理本居民委员会的财产", ZZ_LAW + "第四条第二款", keywords="居委会财产"),
    item("ZZ-11", "召集和主持居民会议，执行居民会议的决定", ZZ_LAW + "第九条、第十条", keywords="居民会议"),
    item("ZZ-12", "向居民会议负责并报告工作", ZZ_LAW + "第十条第一款", keywords="述职 报告工作"),
    item("ZZ-13", "组织制定和修订居民公约，监督居民遵守", ZZ_LAW + "第十五条", keywords="居民公约"),
    item("ZZ-14", "设立人民调解、治安保卫、公共卫生等委员会并开展工作",
         "《中华人民共和国宪法》第一百一十一条；" + ZZ_LAW + "第十三条", keywords="下属委员会"),
    item("ZZ-15", "指导和监督业主大会、业主委员会依法履职，协调居委会、业委会、物业服务企业三方联动",
         "《物业管理条例》第二十条", keywords="业委会 物业 三方联动"),
    item("ZZ-16", "组织居民开展环境卫生、美化绿化等公益活动", ZZ_LAW + "第三条第（二）项、第十三条",
         keywords="环境卫生 绿化"),
    item("ZZ-17", "组织开展城乡社区协商（议事协商）", "《中共中央办公厅 国务院办公厅关于加强城乡社区协商的意见》（2015年）",
         keywords="议事 协商", is_sample=True),
    item("ZZ-18", "实行居务公开，接受居民监督", "《中共中央 国务院关于加强和完善城乡社区治理的意见》（2017年）",
         keywords="居务公开", is_sample=True),
    item("ZZ-19", "培育和引导社区社会组织、开展志愿服务和邻里互助",
         "《民政部关于大力培育发展社区社会组织的意见》（2017年）；《志愿服务条例》", keywords="社会组织 志愿服务",
         is_sample=True),
    item("ZZ-20", "依法开展居民委员会换届选举的组织工作（由居民选举委员会主持）", ZZ_LAW + "第八条",
         keywords="换届 选举"),
)

ASSISTING = (
    item("XZ-01", "协助开展最低生活保障、特困人员供养的申请受理、入户调查和公示", "《社会救助暂行办法》第十一条",
         department="MZ", assist_method="受理申请材料并转交街道；配合入户调查；在社区公示栏张榜公示。",
         funding_yuan="30000", funding_note="区财政按社区拨付社会救助协理经费", staff_attached="0.5",
         keywords="低保 特困 社会救助"),
    item("XZ-02", "协助开展临时救助和困难群众走访", "《社会救助暂行办法》第九章", department="MZ",
         assist_method="发现并报告急难情况；协助街道走访核实。", keywords="临时救助 困难群众 走访"),
    item("XZ-03", "协助开展老年人福利补贴和高龄津贴申领", "《中华人民共和国老年人权益保障法》", department="MZ",
         assist_method="政策宣传；协助老年人线上申领；转交纸质材料。", keywords="高龄津贴 老年人补贴"),
    item("XZ-04", "协助开展困难残疾人生活补贴和重度残疾人护理补贴申请",
         "《中华人民共和国残疾人保障法》；《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》",
         body="区残疾人联合会", assist_method="政策宣传；协助填写申请；转交街道残联专干。", keywords="残疾人 两项补贴"),
    item("XZ-05", "协助开展退役军人和其他优抚对象的走访慰问与信息采集",
         "《中华人民共和国退役军人保障法》；《军人抚恤优待条例》", body="区退役军人事务局",
         assist_method="节日走访；信息变更时告知退役军人服务站。", keywords="退役军人 优抚"),
    item("XZ-06", "协助开展城乡居民基本养老保险参保宣传和待遇领取资格认证提醒", "《中华人民共和国社会保险法》第二十二条",
         body="区人力资源和社会保障局", assist_method="宣传动员；提醒并协助老年人通过手机完成认证（不出具“健在”证明）。",
         funding_yuan="10000", funding_note="区人社局工作经费", keywords="养老保险 参保 资格认证"),
    item("XZ-07", "协助开展城乡居民基本医疗保险参保动员", "《中华人民共和国社会保险法》第二十五条",
         body="区医疗保障局", assist_method="宣传动员；协助未参保居民线上缴费。", funding_yuan="10000",
         funding_note="区医保局工作经费", keywords="医保 参保 医疗保险"),
    item("XZ-08", "协助开展就业困难人员登记和就业援助政策宣传", "《中华人民共和国就业促进法》第五章",
         body="区人力资源和社会保障局", assist_method="发布招聘信息；引导登记到街道社保所。", keywords="就业 失业 就业援助"),
    item("XZ-09", "协助开展爱国卫生运动和病媒生物防制", "《国务院关于深入开展爱国卫生运动的意见》（国发〔2020〕15号）",
         body="区卫生健康委员会", assist_method="组织居民清洁家园；协助投放鼠药、灭蚊宣传。", funding_yuan="8000",
         funding_note="区爱卫会按社区拨付消杀物资", keywords="爱国卫生 病媒 灭鼠 灭蚊"),
    item("XZ-10", "协助开展传染病防控宣传和突发公共卫生事件应对", "《中华人民共和国传染病防治法》第九条",
         body="区卫生健康委员会", assist_method="组织居民参与防控；转达防控通知；协助重点人员排查。",
         keywords="传染病 防控 疫情"),
    item("XZ-11", "协助开展预防接种和老年人健康体检的通知动员", "《国家基本公共卫生服务规范（第三版）》",
         body="区卫生健康委员会（社区卫生服务中心）", assist_method="张贴通知；电话提醒独居老人。",
         keywords="体检 接种 疫苗"),
    item("XZ-12", "协助开展计划生育服务和奖励扶助政策宣传", "《中华人民共和国人口与计划生育法》第十二条",
         body="区卫生健康委员会", assist_method="政策宣传；引导符合条件的家庭线上申报。", keywords="计划生育 奖励扶助 生育"),
    item("XZ-13", "协助开展流动人口和出租房屋信息登记", "《居住证暂行条例》", department="GA-DH",
         assist_method="发现新入住流动人口及时提示登记；每季度协助核对出租房屋底数。", funding_yuan="20000",
         funding_note="区公安分局按出租房屋登记量核拨", staff_attached="0.5", keywords="流动人口 出租房屋 登记"),
    item("XZ-14", "协助开展社区治安防范和矛盾纠纷排查",
         "《中共中央办公厅 国务院办公厅关于加强社会治安防控体系建设的意见》（2015年）", department="GA-DH",
         assist_method="组织治安志愿者巡逻；每月报送矛盾纠纷排查情况。", keywords="治安 矛盾纠纷 排查"),
    item("XZ-15", "协助开展禁毒宣传和社区戒毒社区康复工作", "《中华人民共和国禁毒法》；《戒毒条例》",
         body="区禁毒委员会办公室", assist_method="禁毒宣传；配合街道社区戒毒社区康复工作小组开展帮扶。",
         keywords="禁毒 社区戒毒 社区康复"),
    item("XZ-16", "协助开展消防安全宣传和群众性防火检查", "《中华人民共和国消防法》第三十二条",
         body="区消防救援大队", assist_method="确定消防安全管理人；组织制定防火安全公约；楼道堆物提醒。",
         funding_yuan="6000", funding_note="区财政消防宣传经费", keywords="消防 防火 火灾隐患"),
    item("XZ-17", "协助开展防灾减灾宣传和应急避险演练", "《中华人民共和国突发事件应对法》",
         body="区应急管理局", assist_method="宣传应急知识；组织居民参加演练；协助转移安置。", keywords="应急 演练 防灾减灾"),
    item("XZ-18", "协助开展市容环境秩序巡查，发现违法建设、占道经营等情况及时报告",
         "《中华人民共和国城乡规划法》第六十四条；《城市市容和环境卫生管理条例》", department="CGZF",
         assist_method="发现后上报网格平台；不承担查处、处罚责任。", keywords="违法建设 违建 占道经营 市容"),
    item("XZ-19", "协助开展生活垃圾分类宣传和桶前值守动员", "《中华人民共和国固体废物污染环境防治法》",
         body="区城市管理委员会", assist_method="宣传动员；招募桶前值守志愿者。", funding_yuan="12000",
         funding_note="区财政垃圾分类专项按户数拨付", keywords="垃圾分类 桶前值守"),
    item("XZ-20", "协助开展老旧小区改造意见征集和既有住宅加装电梯协调",
         "《国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见》（国办发〔2020〕23号）", department="ZJ",
         assist_method="组织居民议事征求意见；协调楼内居民达成一致。", keywords="老旧小区 改造 加装电梯"),
    item("XZ-21", "协助开展业主大会筹备和物业管理矛盾协调", "《物业管理条例》第十条", department="ZJ",
         assist_method="参加业主大会筹备组；组织三方协调会。", keywords="业主大会 物业 业委会"),
    item("XZ-22", "协助开展食品安全和消费维权宣传", "《中华人民共和国食品安全法》第十条", department="SCJG",
         assist_method="张贴宣传材料；转达居民投诉至12315。", keywords="食品安全 消费维权"),
    item("XZ-23", "协助开展生态环境保护宣传和噪声扰民情况报告",
         "《中华人民共和国环境保护法》第九条；《中华人民共和国噪声污染防治法》", department="HB",
         assist_method="宣传；将居民反映的噪声、油烟问题上报平台。", keywords="环保 噪声 油烟"),
    item("XZ-24", "协助开展人口普查、经济普查等国家统计调查", "《中华人民共和国统计法》；《全国人口普查条例》",
         body="区统计局", assist_method="推荐普查员；协助划分普查小区、入户动员。", funding_yuan="15000",
         funding_note="普查经费按普查小区拨付，普查员劳务费单列", staff_attached="1", keywords="普查 统计调查"),
    item("XZ-25", "协助开展征兵宣传和兵役登记动员", "《中华人民共和国兵役法》", body="区人民武装部",
         assist_method="宣传；提醒适龄男青年网上兵役登记。", keywords="征兵 兵役登记"),
    item("XZ-26", "协助开展法治宣传和法律援助申请指引", "《中华人民共和国法律援助法》", body="区司法局",
         assist_method="组织法律进社区；引导居民到法律援助中心申请。", keywords="法律援助 普法"),
    item("XZ-27", "协助开展未成年人保护和困境儿童关爱", "《中华人民共和国未成年人保护法》第四十三条", department="MZ",
         assist_method="设置儿童主任；发现侵害未成年人情况及时报告。", keywords="未成年人 儿童 困境儿童"),
)
# Repealed before the demo's "today": shows that a list changes and that an earlier day's list still holds it.
ASSISTING_REPEALED = (
    item("XZ-28", "协助开展创建文明城区入户问卷调查", "区创建办工作通知（2023年）", body="区精神文明建设委员会办公室",
         assist_method="组织居民填写问卷。", keywords="创建 文明城区 问卷",
         repeal={"effective": datetime.date(2026, 1, 1),
                 "note": "依据区社区减负工作组2025年第4号通知取消：创建测评不得向社区摊派。"}),
)

NEGATIVE = (
    item("FM-01", "安全生产监督管理和生产安全事故调查处理", "《中华人民共和国安全生产法》第十条", body="区应急管理局",
         description="社区可宣传、报告隐患，但不作为安全生产监管和事故调查的责任主体。", keywords="安全生产 事故调查 安全检查"),
    item("FM-02", "城市管理行政执法（违法建设查处、占道经营处罚等）", "《中华人民共和国行政处罚法》第十七条",
         department="CGZF", description="行政处罚由具有行政处罚权的行政机关实施；社区只报告线索。",
         keywords="执法 处罚 拆违 查处"),
    item("FM-03", "食品药品、特种设备等市场监管执法检查", "《中华人民共和国食品安全法》第六条", department="SCJG",
         keywords="市场监管 执法检查 食品药品"),
    item("FM-04", "生态环境监督执法和污染源排查", "《中华人民共和国环境保护法》第十条", department="HB",
         keywords="环境执法 污染源 排查"),
    item("FM-05", "房屋征收与补偿、征地拆迁的实施", "《国有土地上房屋征收与补偿条例》第四条", department="ZJ",
         keywords="征收 拆迁 征地"),
    item("FM-06", "招商引资、协税护税等经济发展指标任务",
         "《中共中央办公厅 国务院办公厅关于规范村级组织工作事务、机制牌子和证明事项的意见》（2022年）",
         body="区发展和改革委员会、区税务局", keywords="招商引资 协税护税 经济指标"),
    item("FM-07", "各类创建达标、检查评比和考核排名的责任主体", "《整治形式主义为基层减负若干规定》（2024年）",
         body="区委社会工作部", description="不得将创建、达标、评比任务的责任主体转嫁给社区，不得以社区为单位考核排名。",
         keywords="创建 达标 评比 考核 排名"),
)

CERT_GUIDANCE = "民政部等六部门《关于改进和规范基层群众性自治组织出具证明工作的指导意见》（2020年）"
CERTIFICATES_FORBIDDEN = (
    item("ZM-01", "亲属关系证明", CERT_GUIDANCE, issuing_office="公安派出所（户籍登记信息）或民政局婚姻登记处（婚姻登记档案）",
         keywords="亲属关系 亲属"),
    item("ZM-02", "居民身份信息证明", CERT_GUIDANCE, issuing_office="公安派出所（居民身份证、户口簿）", keywords="身份信息 身份"),
    item("ZM-03", "户口登记项目内容变更申请证明", CERT_GUIDANCE, issuing_office="公安派出所户籍窗口", keywords="户口 变更 户籍"),
    item("ZM-04", "居民养犬证明", CERT_GUIDANCE, issuing_office="公安机关养犬登记窗口", keywords="养犬 犬只"),
    item("ZM-05", "无犯罪记录证明", CERT_GUIDANCE, issuing_office="公安派出所（无犯罪记录证明）", keywords="无犯罪记录 犯罪记录"),
    item("ZM-06", "社区戒毒社区康复人员情况证明", CERT_GUIDANCE, issuing_office="街道社区戒毒社区康复工作办公室",
         keywords="戒毒 康复"),
    item("ZM-07", "人员失踪证明", CERT_GUIDANCE, issuing_office="公安机关（报案回执）；人民法院（宣告失踪判决）",
         keywords="失踪"),
    item("ZM-08", "婚姻状况证明", CERT_GUIDANCE, issuing_office="民政局婚姻登记处（婚姻登记档案查询）",
         keywords="婚姻状况 单身 未婚"),
    item("ZM-09", "出生证明", CERT_GUIDANCE, issuing_office="助产医疗机构（出生医学证明）", keywords="出生"),
    item("ZM-10", "健在证明", CERT_GUIDANCE, issuing_office="人力资源和社会保障部门（待遇领取资格认证，可手机自助认证）",
         keywords="健在 生存 在世"),
    item("ZM-11", "死亡证明", CERT_GUIDANCE, issuing_office="医疗卫生机构（居民死亡医学证明）；公安机关（非正常死亡）",
         keywords="死亡 去世"),
    item("ZM-12", "疾病状况证明", CERT_GUIDANCE, issuing_office="医疗机构（诊断证明）", keywords="疾病 病情"),
    item("ZM-13", "残疾状况证明", CERT_GUIDANCE, issuing_office="残疾人联合会（残疾人证）", keywords="残疾"),
    item("ZM-14", "婚育状况证明", CERT_GUIDANCE, issuing_office="卫生健康部门（生育登记）；民政局婚姻登记处",
         keywords="婚育 生育 计划生育"),
    item("ZM-15", "居民就业状况证明", CERT_GUIDANCE, issuing_office="人力资源和社会保障部门（就业创业证、社保缴费记录）",
         keywords="就业状况 失业 无业"),
    item("ZM-16", "居民个人档案证明", CERT_GUIDANCE, issuing_office="档案保管单位（人才服务机构、原工作单位）", keywords="档案"),
    item("ZM-17", "居民财产证明", CERT_GUIDANCE, issuing_office="不动产登记中心、车辆管理所、开户银行",
         keywords="财产 房产 收入"),
    item("ZM-18", "遗产继承权证明", CERT_GUIDANCE, issuing_office="公证处；人民法院", keywords="继承 遗产"),
    item("ZM-19", "市场主体住所（经营场所）证明", CERT_GUIDANCE, issuing_office="市场监督管理局（住所申报承诺制）",
         keywords="住所 经营场所 营业执照"),
    item("ZM-20", "证件遗失证明", CERT_GUIDANCE, issuing_office="原发证机关（挂失补办）", keywords="遗失 丢失 补办"),
)

CERTIFICATES = (
    item("CZ-01", "居住情况证明（用于居住证申领，限在本社区实际居住且无租赁合同等其他证明材料的情形）",
         "《居住证暂行条例》第九条", body="居住地公安派出所（受理居住证申领）",
         assist_method="网格员核实实际居住后，由居委会出具，登记开具台账。", keywords="居住证明 居住 居住证", is_sample=True),
    item("CZ-02", "最低生活保障申请家庭情况入户调查意见", "《社会救助暂行办法》第十一条", department="MZ",
         assist_method="配合街道入户调查后出具意见，随申请材料转交。", keywords="低保 入户调查", is_sample=True),
    item("CZ-03", "临时救助申请人困难情况说明", "《社会救助暂行办法》第九章", department="MZ",
         assist_method="核实急难情况后出具说明。", keywords="临时救助 困难", is_sample=True),
    item("CZ-04", "人民调解协议书（社区人民调解委员会主持达成）", "《中华人民共和国人民调解法》第二十八条、第二十九条",
         body="社区人民调解委员会", assist_method="调解达成协议后制作，当事人各执一份。", keywords="调解协议",
         is_sample=True),
    item("CZ-05", "志愿服务记录证明（社区组织的志愿服务）", "《志愿服务条例》第二十条", body="社区志愿服务站",
         assist_method="按志愿服务记录如实、无偿出具，写明服务时长。", keywords="志愿服务 志愿时长", is_sample=True),
    item("CZ-06", "社区社会组织备案推荐意见", "《民政部关于大力培育发展社区社会组织的意见》（2017年）", department="MZ",
         assist_method="对在本社区活动的社区社会组织出具推荐意见。", keywords="社会组织 备案", is_sample=True),
)

MICRO_POWER = (
    item("WQ-01", "社区重大事项决策（“四议两公开”）",
         ZZ_LAW + "第十条；《中共中央 国务院关于加强和完善城乡社区治理的意见》（2017年）",
         description="党组织提议、两委会商议、党员大会审议、居民（代表）会议决议；决议公开、实施结果公开。",
         keywords="四议两公开 重大事项"),
    item("WQ-02", "居民委员会财产的管理和处置", ZZ_LAW + "第四条第二款", keywords="财产 资产处置"),
    item("WQ-03", "社区微实事项目和服务采购", "《中华人民共和国政府采购法》", keywords="微实事 采购 项目"),
    item("WQ-04", "社区工作经费收支管理和财务公开", ZZ_LAW + "第十七条", keywords="经费 财务公开"),
    item("WQ-05", "低保、临时救助等民生事项的初步意见和公示", "《社会救助暂行办法》第十一条", keywords="民生 公示 初审"),
    item("WQ-06", "社区印章使用管理（用印登记）", CERT_GUIDANCE, keywords="印章 用印"),
)

# (code, name, purpose, description, items, every item sample?)
KINDS = (
    ("self-governance", "依法自治事项清单", "self_governance",
     "居民委员会依照《城市居民委员会组织法》等法律法规自行办理的事项。", SELF_GOVERNANCE, False),
    ("assisting", "依法协助政府工作事项清单", "assisting",
     "责任主体是政府部门，社区只协助；事项下沉须“权随责走、费随事转”，清单外事项须经准入。",
     ASSISTING + ASSISTING_REPEALED, True),
    ("negative", "严禁作为责任主体事项清单", "negative",
     "不得将社区作为以下事项的责任主体；以社区为责任主体的派单一律不予准入。", NEGATIVE, True),
    ("certificates-forbidden", "不得出具的证明事项清单", "certificate_forbidden",
     "全国统一的20项居（村）委会不应出具的证明；居民请到所列部门办理。", CERTIFICATES_FORBIDDEN, False),
    ("certificates", "出具证明事项清单", "certificate",
     "社区居委会可以出具的证明；清单外的证明不予出具，开具须登记台账。", CERTIFICATES, True),
    ("micro-power", "社区小微权力清单", "other",
     "社区组织行使的小微权力及其运行规则，接受居民监督。", MICRO_POWER, True),
)
